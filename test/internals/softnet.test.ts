// The per-CPU backlog as net/core/dev.c runs it: enqueue_to_backlog's limit
// (a packet is queued while at most netdev_max_backlog wait), the flow
// limit, RPS steering with its IPIs, process_backlog's weight, and
// net_rx_action's budget with time_squeeze and ksoftirqd.
import { describe, expect, test } from 'vitest';
import { bootLab } from '../support/lab.js';
import { standaloneHost } from '../support/host.js';
import { alloc_skb } from '../../core/net/core/skbuff.js';
import { enqueue_to_backlog } from '../../core/net/core/dev.js';
import { ETH_P_IP } from '../../core/net/wire/ethernet.js';
import { run_on_cpu } from '../../core/kernel/softirq.js';

/** A UDP/IPv4 packet (data at the IP header) from source port `sport`. */
function udpSkb(h: ReturnType<typeof standaloneHost>, sport: number) {
  const skb = alloc_skb(h.net, 28, 64);
  const o = skb.skb_put(28);
  skb.buf.set([0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, sport >> 8, sport & 255, 0x13, 0x88, 0, 8, 0, 0], o);
  skb.protocol = ETH_P_IP;
  skb.dev = h.nic('eth0')!;
  return skb;
}

describe('enqueue_to_backlog', () => {
  test('queues while input_pkt_queue holds at most netdev_max_backlog packets, then drops (CPU_BACKLOG)', () => {
    const h = standaloneHost(['eth0'], 2);
    h.net.sysctl.set('net.core.netdev_max_backlog', '3');
    const rc = Array.from({ length: 6 }, (_, i) => enqueue_to_backlog(h.net, udpSkb(h, 1000 + i), 1));
    expect(rc).toEqual([0, 0, 0, 0, 1, 1]);
    expect(h.net.softnet[1].input_pkt_queue.length).toBe(4);
    expect(h.net.softnet[1].dropped).toBe(2);
    expect(h.nic('eth0')!.stats.rx_dropped).toBe(2);
    // CPU 0 owes CPU 1 an IPI; running it processes the backlog there.
    h.engine.runUntil(1e6);
    expect(h.net.softnet[1].received_rps).toBe(1);
    expect(h.net.cpus[1].ipi_call_count).toBe(1);
    expect(h.net.softnet[1].processed).toBe(4);
    expect(h.net.outstanding).toBe(0);
  });

  test('the flow limit drops a flow that fills more than half of a half-full backlog', () => {
    const h = standaloneHost(['eth0'], 2);
    h.net.sysctl.set('net.core.netdev_max_backlog', '200');
    h.net.sysctl.set('net.core.flow_limit_cpu_bitmap', '1');
    let dropped = 0;
    // From an interrupt on CPU 0 (its softirq then sends the RPS IPI):
    run_on_cpu(h.net, h.net.cpus[0], 'hardirq', () => {
      // 100 packets of other flows (below half the limit: not looked at), then one flow alone.
      for (let i = 0; i < 100; i++) enqueue_to_backlog(h.net, udpSkb(h, 2000 + i), 1);
      for (let i = 0; i < 150; i++) dropped += enqueue_to_backlog(h.net, udpSkb(h, 7), 1);
    });
    // Of the last 128 packets looked at, more than 64 are the flow's from its 65th on.
    expect(dropped).toBe(150 - 64);
    expect(h.net.softnet[0].flow_limit_count).toBe(dropped);
    expect(h.net.softnet[1].dropped).toBe(dropped);
    const line0 = h.vfs.read('/proc/net/softnet_stat') as string;
    expect(line0.split('\n')[0].split(' ')[10]).toBe(dropped.toString(16).padStart(8, '0'));
    h.engine.runUntil(1e7);
    expect(h.net.outstanding).toBe(0);
  });
});

const LAB = (cpus: number, extra = '') => `version: 1
name: softnet
hosts:
  gen:
    exec:
      - ip addr add 10.0.0.1/24 dev eth0
  rx:
    cpus: ${cpus}
    nics:
      eth0: { rx_ring: 4096 }
    exec:
      - ip addr add 10.0.0.2/24 dev eth0
${extra}
links:
  - endpoints: [gen:eth0, rx:eth0]
`;
const PKTGEN = 'pktgen -i eth0 -d 10.0.0.2 -m 02:00:00:00:02:01 -p 9';

describe('RPS', () => {
  test('the hashing CPU processes nothing; each target counts its IPIs as received_rps', () => {
    const r = bootLab(LAB(3));
    r.runCommand('rx', 'echo 6 > /sys/class/net/eth0/queues/rx-0/rps_cpus');
    r.runCommand('gen', `${PKTGEN} -n 500 -w 5000`);
    r.idle(1e6);
    const sd = r.host('rx').net.softnet;
    expect(sd[0].processed).toBe(0);
    // The 500 datagrams, and the ARP reply that lets rx send its port unreachables.
    expect(sd[1].processed + sd[2].processed).toBe(501);
    expect(sd[1].processed).toBeGreaterThan(100);
    expect(sd[2].processed).toBeGreaterThan(100);
    expect(sd[1].received_rps).toBe(r.host('rx').net.cpus[1].ipi_call_count);
    expect(r.runCommand('rx', 'grep CAL /proc/interrupts').stdout).toBe(`CAL:          0 ${String(sd[1].received_rps).padStart(10)} ${String(sd[2].received_rps).padStart(10)}   Function call interrupts\n`);
  });

  test('rps_cpus takes a hex mask; offline CPUs are left out; rps_flow_cnt rounds up to a power of two', () => {
    const r = bootLab(LAB(2));
    expect(r.runCommand('rx', 'echo ff > /sys/class/net/eth0/queues/rx-0/rps_cpus; cat /sys/class/net/eth0/queues/rx-0/rps_cpus').stdout).toBe('3\n');
    expect(r.runCommand('rx', 'echo 100 > /sys/class/net/eth0/queues/rx-0/rps_flow_cnt; cat /sys/class/net/eth0/queues/rx-0/rps_flow_cnt').stdout).toBe('128\n');
    expect(r.runCommand('rx', 'cat /sys/class/net/eth0/queues/rx-1/rps_cpus').exit).toBe(1);
  });
});

describe('net_rx_action', () => {
  test('a small netdev_budget squeezes; the leftovers go to ksoftirqd', () => {
    const r = bootLab(LAB(1));
    const cpu = r.host('rx').net.cpus[0];
    r.runCommand('gen', `${PKTGEN} -n 1000`);
    r.idle(1e6);
    expect(r.host('rx').net.softnet[0].time_squeeze).toBe(0);
    r.runCommand('rx', 'sysctl -w net.core.netdev_budget=10');
    const before = cpu.ksoftirqdWakeups;
    r.runCommand('gen', `${PKTGEN} -n 1000`);
    r.idle(1e6);
    expect(r.host('rx').net.softnet[0].time_squeeze).toBeGreaterThan(10);
    expect(cpu.ksoftirqdWakeups).toBeGreaterThan(before);
    expect(r.host('rx').net.softnet[0].processed).toBeGreaterThanOrEqual(2000);
    // ksoftirqd's switches show in /proc/stat ctxt.
    expect(r.runCommand('rx', 'grep ctxt /proc/stat').stdout).toMatch(/^ctxt [1-9][0-9]*\n$/);
  });

  test('several NAPI instances on one CPU share its budget: 8 queues x weight 64 > 300', () => {
    const r = bootLab(LAB(1).replace('{ rx_ring: 4096 }', '{ rx_ring: 4096, queues: 8 }'));
    r.runCommand('gen', `${PKTGEN} -n 4000`);
    r.idle(1e6);
    const sd = r.host('rx').net.softnet[0];
    expect(sd.processed).toBeGreaterThan(3900);
    expect(sd.time_squeeze).toBeGreaterThan(0);
  });
});
