// A booted pair lab (a 10.0.0.1 -- b 10.0.0.2) whose host b takes frames
// straight into its NIC (Host.deliver, as if they came off the cable from a),
// and counter snapshots named as /proc/net/{snmp,netstat} print them.
import { bootLab, pairLab } from '../support/lab.js';
import type { LabRunner } from '../../core/runtime/lab_runner.js';
import type { Host } from '../../core/host/host.js';
import type { MibSection } from '../../core/net/mib.js';

export interface Target {
  runner: LabRunner;
  a: Host;
  b: Host;
  /** Put a frame on b's eth0 now (+1 ns). */
  inject(frame: Uint8Array): void;
}

export function target(extra: string[] = []): Target {
  const runner = bootLab(pairLab(extra));
  const a = runner.host('a');
  const b = runner.host('b');
  const ifindex = b.nic('eth0')!.ifindex;
  let seq = 0;
  return {
    runner,
    a,
    b,
    inject(frame) {
      b.deliver({ arrival: runner.now + 1, fromHost: 0, seq: seq++, toHost: 1, toIfindex: ifindex, bytes: frame });
    },
  };
}

/** 'Ip.InHdrErrors' -> value (0 when the model has no such counter). */
export function counters(h: Host, names: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const n of names) {
    const [sec, field] = n.split('.');
    out[n] = h.net.mib.counter(sec as MibSection, field) ?? 0;
  }
  return out;
}

export function delta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.keys(after).map((k) => [k, after[k] - before[k]]));
}

/** skbs a host holds legitimately while idle: those queued on its sockets. */
export function heldInSockets(h: Host): number {
  let n = 0;
  const { udp, raw, tcp } = h.net.socks;
  for (const sk of [...udp, ...raw, ...tcp]) n += sk.receive_queue.length;
  return n;
}
