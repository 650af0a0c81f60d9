// The NUD state machine in virtual time, driven the way traffic drives it.
import { describe, it, expect } from 'vitest';
import { bootLab, pairLab } from '../support/lab.js';
import { parseIPv4 as ip } from '../../core/net/wire/ip.js';
import { NUD_REACHABLE, NUD_STALE, NUD_DELAY, NUD_PROBE, NUD_FAILED, NUD_INCOMPLETE } from '../../core/net/core/neighbour.js';

const S = 1e9;

function state(r: ReturnType<typeof bootLab>, host: string, addr: string): number | undefined {
  const net = r.host(host).net;
  return net.arp_tbl.lookup(ip(addr)!, net.dev_get_by_name('eth0')!)?.nud_state;
}

describe('neighbour states', () => {
  it('INCOMPLETE probes 3 times a second apart, then FAILED and host unreachable', () => {
    const r = bootLab(pairLab());
    const out = r.runCommand('a', 'ping -c 1 -W 5 10.0.0.77');
    expect(out.stdout).toContain('From 10.0.0.1 icmp_seq=1 Destination Host Unreachable');
    expect(state(r, 'a', '10.0.0.77')).toBe(NUD_FAILED);
    const arp = r.host('a').net.arp_tbl;
    expect(arp.stats.res_failed).toBe(1);
    // 3 broadcast requests (mcast_solicit) went out on eth0.
    expect(r.host('a').nic('eth0')!.stats.tx_packets).toBe(3);
  });

  it('REACHABLE lapses to STALE after reachable_time; use makes DELAY, then PROBE, then REACHABLE again', () => {
    const r = bootLab(pairLab(['sysctl -w net.ipv4.neigh.eth0.base_reachable_time_ms=2000', 'sysctl -w net.ipv4.neigh.eth0.delay_first_probe_time=1']));
    r.runCommand('a', 'ping -c 1 10.0.0.2');
    expect(state(r, 'a', '10.0.0.2')).toBe(NUD_REACHABLE);
    expect(state(r, 'b', '10.0.0.1')).toBe(NUD_DELAY); // learnt from the request (STALE), used by the reply
    r.idle(4 * S); // reachable_time is drawn from [1 s, 3 s)
    expect(state(r, 'a', '10.0.0.2')).toBe(NUD_STALE);
    r.runCommand('a', 'ping -c 1 10.0.0.2');
    expect(state(r, 'a', '10.0.0.2')).toBe(NUD_DELAY);
    r.idle(1.5 * S); // delay_first_probe_time passed without confirmation: a unicast probe
    const s = state(r, 'a', '10.0.0.2');
    expect([NUD_PROBE, NUD_REACHABLE]).toContain(s);
    r.idle(0.5 * S);
    expect(state(r, 'a', '10.0.0.2')).toBe(NUD_REACHABLE); // b answered the unicast probe
  });

  it('a peer that stops answering ends FAILED after the unicast probes', () => {
    const r = bootLab(pairLab(['sysctl -w net.ipv4.neigh.eth0.base_reachable_time_ms=2000', 'sysctl -w net.ipv4.neigh.eth0.delay_first_probe_time=1']));
    r.runCommand('a', 'ping -c 1 10.0.0.2');
    r.runCommand('b', 'ip link set eth0 down');
    r.idle(4 * S);
    r.runCommand('a', 'ping -c 1 -W 1 10.0.0.2');
    r.idle(6 * S); // DELAY 1 s, then ucast_solicit (3) probes 1 s apart
    expect(state(r, 'a', '10.0.0.2')).toBe(NUD_FAILED);
    expect(r.runCommand('a', 'ip neigh show').stdout).toBe('10.0.0.2 dev eth0 FAILED \n');
  });

  it('queues packets while INCOMPLETE and sends them once resolved', () => {
    const r = bootLab(pairLab());
    const out = r.runCommand('a', 'ping -c 3 -i 0.001 10.0.0.2');
    expect(out.stdout).toContain('3 received');
    expect(state(r, 'a', '10.0.0.2')).toBe(NUD_REACHABLE);
    expect(NUD_INCOMPLETE).toBe(1);
  });
});
