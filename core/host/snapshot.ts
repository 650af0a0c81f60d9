// A host's kernel state as plain data, for the app's internals panel: CPUs
// (time per context as /proc/stat splits it, softirq counts, ksoftirqd),
// NIC queues (ring occupancy, MSI-X vector and its per-CPU counts, NAPI
// polls, ethtool -S counters), /proc/interrupts lines, softnet_stat per CPU,
// qdiscs, sockets with their receive queue fill, and the sysctl and ethtool
// settings the panel lets the user change. Read-only and pure: it reads the
// kernel objects and builds new objects, nothing else.
import type { Host } from './host.js';
import { NET_RX_SOFTIRQ, NET_TX_SOFTIRQ, TIMER_SOFTIRQ } from '../kernel/cpu.js';
import { StlNic } from '../drivers/stlnic.js';
import { formatIPv4 } from '../net/wire/ip.js';
import { ICMP_FIELDS, IP_FIELDS, UDP_FIELDS } from '../net/mib.js';

/** The sysctls the panel shows and lets the user set (`sysctl -w`). */
export const SNAPSHOT_SYSCTLS = [
  'net.core.netdev_budget',
  'net.core.netdev_budget_usecs',
  'net.core.dev_weight',
  'net.core.netdev_max_backlog',
  'net.core.rmem_default',
  'net.core.rmem_max',
  'net.ipv4.ip_forward',
  'net.ipv4.icmp_ratelimit',
  'net.ipv4.icmp_echo_ignore_all',
] as const;

export interface CpuSnap {
  id: number;
  /** What it is doing now. */
  ctx: string;
  /** ns per context (/proc/stat user, system, irq, softirq). */
  user: number;
  system: number;
  irq: number;
  softirq: number;
  /** /proc/softirqs counts. */
  netRx: number;
  netTx: number;
  timer: number;
  ksoftirqdWakeups: number;
  ksoftirqdRunning: boolean;
  softirqPending: number;
  /** Busy with interrupts/softirqs until (ns), and the CPU's own clock. */
  busyUntil: number;
  clock: number;
  ipiCalls: number;
  contextSwitches: number;
}

export interface SoftnetSnap {
  cpu: number;
  processed: number;
  dropped: number;
  time_squeeze: number;
  cpu_collision: number;
  received_rps: number;
  flow_limit_count: number;
  /** Packets waiting in input_pkt_queue + process_queue (the backlog). */
  backlog: number;
  /** NAPI instances on this CPU's poll list. */
  pollList: string[];
}

export interface IrqSnap {
  irq: number;
  name: string;
  chip: string;
  /** Per-CPU counts (/proc/interrupts). */
  counts: number[];
  effectiveCpu: number;
  affinity: number;
}

export interface NicQueueSnap {
  index: number;
  /** Frames DMA'd into the RX ring and not polled yet, of rxRing. */
  rxUsed: number;
  /** Descriptors the TX ring holds (posted, not completed), of txRing. */
  txUsed: number;
  txStopped: boolean;
  irq: number;
  irqEnabled: boolean;
  napiPolls: number;
  napiScheduled: boolean;
  pollCpu: number;
  rx_packets: number;
  rx_bytes: number;
  rx_drops: number;
  tx_packets: number;
  tx_bytes: number;
  tx_restart: number;
}

export interface DevSnap {
  name: string;
  ifindex: number;
  kind: string;
  up: boolean;
  mtu: number;
  txqueuelen: number;
  stats: { rx_packets: number; tx_packets: number; rx_bytes: number; tx_bytes: number; rx_dropped: number; tx_dropped: number; rx_missed_errors: number; rx_fifo_errors: number };
  qdisc: { kind: string; qlen: number; limit: number; backlog: number; drops: number; requeues: number; packets: number } | null;
  /** stlnic only: ethtool -g / -l settings and the queues. */
  nic: { rxRing: number; txRing: number; maxRing: number; minRing: number; combined: number; maxCombined: number; rx_missed_errors: number; queues: NicQueueSnap[] } | null;
}

export interface SockSnap {
  type: string;
  protocol: number;
  state: string;
  local: string;
  remote: string;
  owner: string;
  /** Receive queue: skbs and bytes charged (rmem_alloc) of rcvbuf. */
  rxQueue: number;
  rmem: number;
  rcvbuf: number;
  wmem: number;
  sndbuf: number;
  drops: number;
}

export interface HostSnapshotView {
  host: string;
  /** The host's clock (ns). */
  now: number;
  events: number;
  /** skbs alive. */
  outstanding: number;
  cpus: CpuSnap[];
  softnet: SoftnetSnap[];
  irqs: IrqSnap[];
  devices: DevSnap[];
  sockets: SockSnap[];
  sysctls: { name: string; value: string }[];
  /** IP MIB counters worth plotting (/proc/net/snmp names). */
  snmp: Record<string, number>;
}

function addr(a: number, port: number): string {
  return `${a ? formatIPv4(a) : '0.0.0.0'}${port ? `:${port}` : ''}`;
}


/** Snapshot of one host's kernel objects. */
export function snapshotHost(h: Host): HostSnapshotView {
  const net = h.net;
  const cpus: CpuSnap[] = net.cpus.map((c) => ({
    id: c.id,
    ctx: c.ctx,
    user: c.time.user,
    system: c.time.system,
    irq: c.time.irq,
    softirq: c.time.softirq,
    netRx: c.softirqCount[NET_RX_SOFTIRQ],
    netTx: c.softirqCount[NET_TX_SOFTIRQ],
    timer: c.softirqCount[TIMER_SOFTIRQ],
    ksoftirqdWakeups: c.ksoftirqdWakeups,
    ksoftirqdRunning: c.ksoftirqdRunning,
    softirqPending: c.softirqPending,
    busyUntil: c.busyUntil,
    clock: c.clock,
    ipiCalls: c.ipi_call_count,
    contextSwitches: c.nr_switches,
  }));
  const softnet: SoftnetSnap[] = net.softnet.map((sd, i) => ({
    cpu: i,
    processed: sd.processed,
    dropped: sd.dropped,
    time_squeeze: sd.time_squeeze,
    cpu_collision: sd.cpu_collision,
    received_rps: sd.received_rps,
    flow_limit_count: sd.flow_limit_count,
    backlog: sd.input_pkt_queue.length + sd.process_queue.length,
    pollList: sd.poll_list.map((n) => n.name),
  }));
  const irqs: IrqSnap[] = [...net.irqs]
    .sort((a, b) => a.irq - b.irq)
    .map((d) => ({ irq: d.irq, name: d.name, chip: d.chip, counts: Array.from(d.counts), effectiveCpu: d.effective, affinity: d.affinity }));
  const devices: DevSnap[] = [...net.devices.values()].map((d) => {
    const q = d.qdisc;
    const nic = d.priv instanceof StlNic ? (d.priv as StlNic) : null;
    return {
      name: d.name,
      ifindex: d.ifindex,
      kind: nic ? 'stlnic' : d.kind || (d.isLoopback ? 'loopback' : ''),
      up: d.up,
      mtu: d.mtu,
      txqueuelen: d.tx_queue_len,
      stats: {
        rx_packets: d.stats.rx_packets,
        tx_packets: d.stats.tx_packets,
        rx_bytes: d.stats.rx_bytes,
        tx_bytes: d.stats.tx_bytes,
        rx_dropped: d.stats.rx_dropped,
        tx_dropped: d.stats.tx_dropped,
        rx_missed_errors: d.stats.rx_missed_errors,
        rx_fifo_errors: d.stats.rx_fifo_errors,
      },
      qdisc: q ? { kind: q.kind, qlen: q.qlen, limit: q.limit, backlog: q.qstats.backlog, drops: q.qstats.drops, requeues: q.qstats.requeues, packets: q.bstats.packets } : null,
      nic: nic
        ? {
            rxRing: nic.rx_ring,
            txRing: nic.tx_ring,
            maxRing: 4096,
            minRing: 64,
            combined: nic.queues.length,
            maxCombined: nic.max_combined,
            rx_missed_errors: nic.rx_missed_errors,
            queues: nic.queues.map((x) => ({
              index: x.index,
              rxUsed: x.rx.length,
              txUsed: x.tx.length,
              txStopped: x.txStopped,
              irq: x.irq.irq,
              irqEnabled: x.irqEnabled,
              napiPolls: x.napi.polls,
              napiScheduled: x.napi.scheduled,
              pollCpu: x.pollCpu,
              rx_packets: x.rx_packets,
              rx_bytes: x.rx_bytes,
              rx_drops: x.rx_drops,
              tx_packets: x.tx_packets,
              tx_bytes: x.tx_bytes,
              tx_restart: x.tx_restart,
            })),
          }
        : null,
    };
  });
  const sockets: SockSnap[] = [];
  for (const list of [net.socks.udp, net.socks.tcp, net.socks.raw]) {
    for (const sk of list) {
      if (sk.closed) continue;
      sockets.push({
        type: sk.type,
        protocol: sk.protocol,
        state: sk.state,
        local: addr(sk.rcv_saddr, sk.num),
        remote: addr(sk.daddr, sk.dport),
        owner: sk.owner,
        rxQueue: sk.receive_queue.length,
        rmem: sk.rmem_alloc,
        rcvbuf: sk.rcvbuf,
        wmem: sk.wmem_alloc,
        sndbuf: sk.sndbuf,
        drops: sk.drops,
      });
    }
  }
  const sysctls = SNAPSHOT_SYSCTLS.map((name) => ({ name, value: net.sysctl.get(name) ?? '' }));
  const snmp: Record<string, number> = {};
  // MIB arrays are in /proc/net/snmp print order (mib.ts).
  const mib = net.mib;
  for (const f of ['InReceives', 'ForwDatagrams', 'InDelivers', 'OutRequests', 'InDiscards', 'OutNoRoutes'] as const) snmp[`Ip.${f}`] = mib.ip[IP_FIELDS.indexOf(f)];
  for (const f of ['InMsgs', 'OutMsgs', 'InErrors'] as const) snmp[`Icmp.${f}`] = mib.icmp[ICMP_FIELDS.indexOf(f)];
  for (const f of ['InDatagrams', 'NoPorts', 'RcvbufErrors'] as const) snmp[`Udp.${f}`] = mib.udp[UDP_FIELDS.indexOf(f)];
  return { host: h.name, now: h.engine.now, events: h.engine.executed, outstanding: net.outstanding, cpus, softnet, irqs, devices, sockets, sysctls, snmp };
}
