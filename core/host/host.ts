// A simulated host: one network namespace (the kernel model), its CPUs and
// NICs, a process table running the userland, and its files. A host only
// talks to the world through frames (deliver in, outbox out) and commands,
// so it runs the same inline or in its own process.
import type { HostSpec } from '../lab/topology.js';
import { Engine } from '../sim/engine.js';
import { Prng, deriveSeed } from '../sim/prng.js';
import { Net } from '../net/net_namespace.js';
import { create_loopback } from '../drivers/loopback.js';
import { create_stlnic, DEFAULT_SPEED_BPS, type StlNic } from '../drivers/stlnic.js';
import { parseMac } from '../net/wire/ethernet.js';
import { arp_init } from '../net/ipv4/arp.js';
import { inet_insert_ifa, makeIfa } from '../net/ipv4/devinet.js';
import { Qdisc } from '../net/sched/sch_generic.js';
import type { NetDevice } from '../net/core/netdevice.js';
import { free_frame_buf } from '../net/core/skbuff.js';
import { Scheduler, StringOutput, nullInput, type Task, type Program } from '../userland/process.js';
import { ProcessTable, builtinPrograms } from '../userland/runner.js';
import { HostVfs } from './procfs.js';
import { networkPrograms } from '../userland/tools/index.js';
import { tcp_v4_init } from '../net/ipv4/tcp_ipv4.js';

/** Fixed wire + PHY latency every link adds (ns): the lower bound on how
 * soon a frame sent now can reach another host, i.e. the lookahead. */
export const PHY_LATENCY_NS = 1_000;

/** The far end of one of this host's interfaces. */
export interface LinkEnd {
  link: number;
  /** Peer host index and interface index there. */
  peerHost: number;
  peerIfindex: number;
  delayNs: number;
  lossPct: number;
  rateBps: number;
  /** Loss draws for this direction come from here (same in every process layout). */
  prng: Prng;
}

/** A frame on its way to another host. */
export interface OutFrame {
  arrival: number;
  fromHost: number;
  seq: number;
  toHost: number;
  toIfindex: number;
  bytes: Uint8Array;
}

export class Host {
  readonly engine = new Engine();
  readonly net: Net;
  readonly sched: Scheduler;
  readonly procs: ProcessTable;
  readonly vfs: HostVfs;
  readonly ends = new Map<number, LinkEnd>();
  outbox: OutFrame[] = [];
  private outSeq = 0;
  /** Frames dropped by link loss on the way out. */
  lostFrames = 0;

  constructor(
    readonly spec: HostSpec,
    readonly labSeed: number,
    links: { ifname: string; end: Omit<LinkEnd, 'prng'>; seed: number }[],
  ) {
    const prng = new Prng(deriveSeed(labSeed, spec.index));
    this.net = new Net(spec.name, this.engine, prng, spec.cpus);
    const net = this.net;
    for (const i of spec.ifaces) net.sysctl.addInterface(i.name);
    net.sysctl.addInterface('lo');
    arp_init(net);
    tcp_v4_init();
    const lo = create_loopback(net);
    inet_insert_ifa(net, lo, makeIfa(0x7f000001, 8, lo));
    for (const iface of spec.ifaces) {
      const l = links.find((x) => x.ifname === iface.name);
      const dev = create_stlnic(net, iface.name, {
        queues: iface.nic.queues,
        rx_ring: iface.nic.rx_ring,
        tx_ring: iface.nic.tx_ring,
        mtu: iface.nic.mtu,
        mac: parseMac(iface.nic.mac)!,
        speedBps: l && l.end.rateBps ? l.end.rateBps : DEFAULT_SPEED_BPS,
      });
      dev.qdisc = new Qdisc(dev);
      if (l) this.ends.set(dev.ifindex, { ...l.end, prng: new Prng(l.seed) });
    }
    net.wire = { transmit: (dev, bytes, t) => this.transmit(dev, bytes, t) };
    this.sched = new Scheduler(this.engine);
    this.sched.cpuFreeAt = () => Math.max(net.cpus[0].busyUntil, net.cpus[0].taskBusyUntil);
    this.vfs = new HostVfs(net);
    const programs: Map<string, Program> = builtinPrograms();
    for (const [k, v] of networkPrograms()) programs.set(k, v);
    this.procs = new ProcessTable(this.engine, this.sched, { vfs: this.vfs, sys: net, programs });
  }

  get name(): string {
    return this.spec.name;
  }

  nic(ifname: string): NetDevice | undefined {
    return this.net.dev_get_by_name(ifname);
  }

  private transmit(dev: NetDevice, bytes: Uint8Array, t: number): void {
    const end = this.ends.get(dev.ifindex);
    if (!end) return; // not cabled
    if (end.lossPct > 0 && end.prng.float() * 100 < end.lossPct) {
      this.lostFrames++;
      return;
    }
    this.outbox.push({ arrival: t + end.delayNs + PHY_LATENCY_NS, fromHost: this.spec.index, seq: this.outSeq++, toHost: end.peerHost, toIfindex: end.peerIfindex, bytes });
  }

  /** Schedule a frame from the wire at its arrival time. */
  deliver(f: OutFrame): void {
    this.engine.at(f.arrival, this.receive, f);
  }

  /** The frame reaches the NIC, which copies it: its wire buffer can be reused. */
  private readonly receive = (f: OutFrame): void => {
    const dev = this.net.dev_get_by_index(f.toIfindex);
    if (dev) (dev.priv as StlNic).receiveFrame(f.bytes);
    free_frame_buf(f.bytes);
  };

  takeOutbox(): OutFrame[] {
    const o = this.outbox;
    this.outbox = [];
    return o;
  }

  /** Start a shell line; output collects into the returned buffers. */
  startLine(line: string): { task: Task; stdout: StringOutput; stderr: StringOutput } {
    const stdout = new StringOutput();
    const stderr = new StringOutput();
    const task = this.procs.runLine(line, { stdin: nullInput(), stdout, stderr });
    return { task, stdout, stderr };
  }
}
