// net/core/dev.c: NAPI scheduling and net_rx_action under netdev_budget,
// the backlog (netif_rx), __netif_receive_skb_core with its taps and protocol
// dispatch, and the transmit side dev_queue_xmit -> qdisc -> driver.
import type { Net } from '../net_namespace.js';
import type { TraceFmt } from './trace.js';
import type { Cpu } from '../../kernel/cpu.js';
import { NET_RX_SOFTIRQ, NET_TX_SOFTIRQ } from '../../kernel/cpu.js';
import { raise_softirq, run_on_cpu } from '../../kernel/softirq.js';
import { COST } from '../../kernel/costs.js';
import { type SkBuff, kfree_skb, PACKET_BROADCAST, PACKET_MULTICAST, PACKET_OTHERHOST, PACKET_HOST } from './skbuff.js';
import { type NetDevice, NETDEV_TX_OK, IFF_UP } from './netdevice.js';
import { type NapiStruct, type SoftnetData, set_process_backlog, netdev_rx_queue, rps_needed, FLOW_LIMIT_HISTORY, SdFlowLimit, parseCpuMask } from './softnet.js';
import { napi_gro_flush } from './gro.js';
import { SYSCTL_HZ } from '../../kernel/sysctl_defaults.js';
import { ETH_HLEN, ETH_P_ARP, ETH_P_IP, eth } from '../wire/ethernet.js';
import { ip_rcv } from '../ipv4/ip_input.js';
import { arp_rcv } from '../ipv4/arp.js';
import { qdisc_run, qdisc_enqueue_xmit } from '../sched/sch_generic.js';
import { fib_sync_dev_routes, inet_addrs_changed } from '../ipv4/devinet.js';

// Trace details, formatted only when a record is shown (trace.ts).
const fmtBudget: TraceFmt = (b) => `budget ${b}`;
const fmtNapiPoll: TraceFmt = (name, work, weight) => `${name} work ${work} budget ${weight}`;
const fmtDevLen: TraceFmt = (dev, len) => `dev=${dev} len=${len}`;
const fmtDevXmit: TraceFmt = (dev, len, rc) => `dev=${dev} len=${len} rc=${rc}`;

// ---- packet taps (AF_PACKET: tcpdump) --------------------------------------

export interface PacketTap {
  /** null: every device (ETH_P_ALL on any). */
  dev: NetDevice | null;
  /** Sees a read-only view of the frame (mac header on). Must copy what it keeps. */
  rcv(skb: SkBuff, dev: NetDevice, outgoing: boolean): void;
}

export function dev_add_pack(net: Net, tap: PacketTap): void {
  net.ptype_all.push(tap);
}
export function dev_remove_pack(net: Net, tap: PacketTap): void {
  const i = net.ptype_all.indexOf(tap);
  if (i >= 0) net.ptype_all.splice(i, 1);
}

// ---- NAPI ---------------------------------------------------------------------

/** ____napi_schedule: onto this CPU's poll list; NET_RX is raised unless
 * net_rx_action runs here already (it looks at the list again itself). */
function ____napi_schedule(net: Net, sd: SoftnetData, napi: NapiStruct): void {
  napi.cpu = sd.cpu.id;
  sd.poll_list.push(napi);
  net.tracer.fn(null, 'napi_schedule', napi.name);
  if (!sd.in_net_rx_action) raise_softirq(net, sd.cpu, NET_RX_SOFTIRQ);
}

/** napi_schedule: napi_schedule_prep (NAPI_STATE_SCHED), then onto `cpu`'s
 * poll list. `cpu` is the CPU running the interrupt handler. */
export function napi_schedule(net: Net, napi: NapiStruct, cpu: Cpu): void {
  if (napi.scheduled) return;
  napi.scheduled = true;
  ____napi_schedule(net, net.softnet[cpu.id], napi);
}

/** napi_complete_done: the driver finished under budget; it may re-enable its IRQ. */
export function napi_complete_done(napi: NapiStruct): void {
  napi.scheduled = false;
}

/** jiffies at time t (ns), at the reference kernel's HZ. */
export function jiffies_at(t: number): number {
  return Math.floor(t / (1e9 / SYSCTL_HZ));
}

/** usecs_to_jiffies: rounded up. */
function usecs_to_jiffies(us: number): number {
  return Math.ceil((us * SYSCTL_HZ) / 1e6);
}

/** net_rx_action: poll the NAPI instances on this CPU's list until the
 * netdev_budget packets or netdev_budget_usecs (in jiffies) are used up;
 * running out with work left counts a time_squeeze and leaves that work
 * for the next round (a restart, or ksoftirqd). */
export function net_rx_action(net: Net, cpu: Cpu): void {
  const sd = net.softnet[cpu.id];
  const hot = net.sysctl.hot();
  const time_limit = jiffies_at(net.now()) + usecs_to_jiffies(hot.netdev_budget_usecs);
  let budget = hot.netdev_budget;
  if (net.tracer.active) net.tracer.fnf(null, 'net_rx_action', fmtBudget, budget);
  // The local lists are reused from one run to the next (no arrays per softirq).
  const list = rxLists.pop() ?? [];
  const repoll = rxLists.pop() ?? [];
  start: for (;;) {
    sd.in_net_rx_action = true;
    for (const p of sd.poll_list) list.push(p);
    // (pop, not length = 0: that is a runtime call)
    while (sd.poll_list.length) sd.poll_list.pop();
    for (;;) {
      if (!list.length) {
        if (!repoll.length) {
          sd.in_net_rx_action = false;
          // ____napi_schedule may have refilled poll_list meanwhile.
          if (sd.poll_list.length) continue start;
          if (!sd.rps_ipi_list.length) {
            rxLists.push(repoll, list);
            return;
          }
        }
        break start;
      }
      const n = list.shift()!;
      budget -= napi_poll(net, n, repoll);
      if (budget <= 0 || jiffies_at(net.now()) >= time_limit) {
        sd.time_squeeze++;
        net.tracer.fn(null, 'time_squeeze', `budget ${budget}`);
        break start;
      }
    }
  }
  // Unfinished instances first, then ones scheduled meanwhile, then those
  // that used their whole weight (list_splice_tail order in net_rx_action).
  for (const p of sd.poll_list) list.push(p);
  for (const p of repoll) list.push(p);
  while (sd.poll_list.length) sd.poll_list.pop();
  for (const p of list) sd.poll_list.push(p);
  while (list.length) list.pop();
  while (repoll.length) repoll.pop();
  rxLists.push(repoll, list);
  if (sd.poll_list.length) raise_softirq(net, cpu, NET_RX_SOFTIRQ);
  else sd.in_net_rx_action = false;
  net_rps_action_and_irq_enable(net, sd);
}

/** Spare arrays for net_rx_action's local lists (always left empty). */
const rxLists: NapiStruct[][] = [];

/** napi_poll / __napi_poll: run the poll with the instance's weight; one
 * that used it all stays scheduled and goes on the repoll list, its GRO
 * packets flushed first (HZ < 1000 flushes all of them). */
function napi_poll(net: Net, n: NapiStruct, repoll: NapiStruct[]): number {
  const weight = n.weight;
  let work = 0;
  if (n.scheduled) {
    net.spend(COST.napi_poll);
    n.polls++;
    work = n.poll(n, weight);
    if (net.tracer.active) net.tracer.fnf(null, 'napi_poll', fmtNapiPoll, n.name, work, weight);
  }
  if (work < weight) return work;
  if (n.dev) napi_gro_flush(net, n);
  repoll.push(n);
  return work;
}

// ---- receive ------------------------------------------------------------------

/** eth_type_trans: set the mac header, classify the frame, pull Ethernet. */
export function eth_type_trans(skb: SkBuff, dev: NetDevice): number {
  skb.dev = dev;
  skb.skb_reset_mac_header();
  const b = skb.buf;
  const o = skb.data;
  // The destination address read in place (no view of it per frame).
  const me = dev.dev_addr;
  if ((b[o] & 1) === 1) {
    skb.pkt_type = (b[o] & b[o + 1] & b[o + 2] & b[o + 3] & b[o + 4] & b[o + 5]) === 0xff ? PACKET_BROADCAST : PACKET_MULTICAST;
  } else if (!(b[o] === me[0] && b[o + 1] === me[1] && b[o + 2] === me[2] && b[o + 3] === me[3] && b[o + 4] === me[4] && b[o + 5] === me[5])) {
    skb.pkt_type = PACKET_OTHERHOST;
  } else {
    skb.pkt_type = PACKET_HOST;
  }
  const proto = eth.proto(b, o);
  skb.skb_pull(ETH_HLEN);
  skb.protocol = proto;
  return proto;
}

/** netif_receive_skb: hand a packet to the stack from NAPI context
 * (netif_receive_skb_internal): to another CPU's backlog when RPS says so. */
export function netif_receive_skb(net: Net, skb: SkBuff): void {
  if (rps_needed(skb.dev!)) {
    const cpu = get_rps_cpu(net, skb.dev!, skb);
    if (cpu >= 0) {
      enqueue_to_backlog(net, skb, cpu);
      return;
    }
  }
  __netif_receive_skb_core(net, skb);
}

/** __netif_receive_skb_core: taps (ptype_all) first, then the device's
 * rx_handler (bridge), then the protocol handler (ptype_base). Consumes skb. */
export function __netif_receive_skb_core(net: Net, skb: SkBuff): void {
  const cpu = net.curCpu;
  if (cpu) net.softnet[cpu.id].processed++;
  net.spend(COST.netif_receive_skb);
  if (net.tracer.active) net.tracer.fnf(skb, 'netif_receive_skb', fmtDevLen, skb.dev!.name, skb.len);
  skb.skb_reset_network_header();
  skb.skb_reset_transport_header();
  let dev = skb.dev!;
  const taps = net.ptype_all;
  if (taps.length) for (const t of taps) if (t.dev === null || t.dev === dev) t.rcv(skb, dev, false);
  while (dev.rx_handler) {
    const r = dev.rx_handler(skb);
    if (r === 'consumed') return;
    if (skb.dev === dev) break;
    dev = skb.dev!;
  }
  switch (skb.protocol) {
    case ETH_P_IP:
      ip_rcv(net, skb, dev);
      return;
    case ETH_P_ARP:
      arp_rcv(net, skb, dev);
      return;
    default:
      dev.stats.rx_nohandler++;
      kfree_skb(skb, 'UNHANDLED_PROTO', '__netif_receive_skb_core');
  }
}

/** netif_rx (netif_rx_internal): queue to a backlog, the RPS target's or
 * this CPU's (`cpu`: the caller's CPU, for calls from outside any CPU). */
export function netif_rx(net: Net, skb: SkBuff, cpu: Cpu): number {
  skb.tstamp = net.now(); // net_timestamp_check: a fresh receive time
  if (net.tracer.active) net.tracer.fnf(skb, 'netif_rx', fmtDevLen, skb.dev!.name, skb.len);
  let target = -1;
  if (rps_needed(skb.dev!)) target = get_rps_cpu(net, skb.dev!, skb);
  if (target < 0) target = (net.curCpu ?? cpu).id;
  return enqueue_to_backlog(net, skb, target);
}

export const NET_RX_SUCCESS = 0;
export const NET_RX_DROP = 1;

/** enqueue_to_backlog: queue to `cpu`'s input_pkt_queue. Drops (counted in
 * softnet_stat's dropped column and the device's rx_dropped) when more than
 * netdev_max_backlog packets wait there, or when the flow limit says this
 * flow has too much of a half-full backlog. */
export function enqueue_to_backlog(net: Net, skb: SkBuff, cpu: number): number {
  const sd = net.softnet[cpu];
  const qlen = sd.input_pkt_queue.length;
  const max_backlog = net.sysctl.hot().netdev_max_backlog;
  if (qlen <= max_backlog && !skb_flow_limit(net, skb, qlen, max_backlog)) {
    if (!skb.dev!.up) {
      skb.dev!.stats.rx_dropped++;
      kfree_skb(skb, 'DEV_READY', 'enqueue_to_backlog');
      return NET_RX_DROP;
    }
    if (!qlen && !sd.backlog.scheduled) {
      sd.backlog.scheduled = true;
      napi_schedule_rps(net, sd);
    }
    sd.input_pkt_queue.push(skb);
    sd.input_queue_tail++;
    return NET_RX_SUCCESS;
  }
  sd.dropped++;
  skb.dev!.stats.rx_dropped++;
  net.tracer.fn(skb, 'enqueue_to_backlog', `cpu ${cpu} qlen ${qlen} > netdev_max_backlog ${max_backlog}`);
  kfree_skb(skb, 'CPU_BACKLOG', 'enqueue_to_backlog');
  return NET_RX_DROP;
}

/** napi_schedule_rps: our own backlog is scheduled at once; another CPU's
 * goes on our rps_ipi_list and gets an IPI when net_rx_action ends. */
function napi_schedule_rps(net: Net, sd: SoftnetData): void {
  const mysd = net.softnet[(net.curCpu ?? net.cpus[0]).id];
  if (sd !== mysd) {
    mysd.rps_ipi_list.unshift(sd);
    if (!mysd.in_net_rx_action) raise_softirq(net, mysd.cpu, NET_RX_SOFTIRQ);
    return;
  }
  ____napi_schedule(net, mysd, mysd.backlog);
}

/** IPI delivery: from the sending CPU to the target running its handler. */
const IPI_LATENCY_NS = 1000;
/** The target's cost to take the IPI (a small hard interrupt). */
const IPI_HANDLER_NS = 300;

/** net_rps_action_and_irq_enable / net_rps_send_ipi: kick the remote CPUs
 * whose backlogs we filled. On each, rps_trigger_softirq schedules its
 * backlog NAPI and counts received_rps (softnet_stat column 10); the IPI
 * itself is a "Function call interrupt" (CAL in /proc/interrupts). */
function net_rps_action_and_irq_enable(net: Net, sd: SoftnetData): void {
  if (!sd.rps_ipi_list.length) return;
  const list = sd.rps_ipi_list;
  sd.rps_ipi_list = [];
  const at = net.now() + IPI_LATENCY_NS;
  for (const remsd of list) {
    net.engine.at(at, () =>
      run_on_cpu(net, remsd.cpu, 'hardirq', () => {
        remsd.cpu.ipi_call_count++;
        remsd.cpu.spend(IPI_HANDLER_NS);
        ____napi_schedule(net, remsd, remsd.backlog);
        remsd.received_rps++;
      }),
    );
  }
}

/** skb_flow_limit: when this CPU's flow limit is on and the backlog is
 * half full, drop packets of a flow that had more than half of the last
 * FLOW_LIMIT_HISTORY packets. */
function skb_flow_limit(net: Net, skb: SkBuff, qlen: number, max_backlog: number): boolean {
  if (qlen < max_backlog >> 1) return false;
  const sd = net.softnet[(net.curCpu ?? net.cpus[0]).id];
  flow_limit_sync(net);
  const fl = sd.flow_limit;
  if (!fl) return false;
  const new_flow = skb_get_hash(net, skb) & (fl.num_buckets - 1);
  const old_flow = fl.history[fl.history_head];
  fl.history[fl.history_head] = new_flow;
  fl.history_head = (fl.history_head + 1) & (FLOW_LIMIT_HISTORY - 1);
  if (fl.buckets[old_flow]) fl.buckets[old_flow]--;
  if (++fl.buckets[new_flow] > FLOW_LIMIT_HISTORY >> 1) {
    fl.count++;
    return true;
  }
  return false;
}

const flowLimitSeen = new WeakMap<Net, string>();

/** flow_limit_cpu_sysctl: a CPU in net.core.flow_limit_cpu_bitmap gets a
 * table of net.core.flow_limit_table_len buckets; one taken out loses it. */
function flow_limit_sync(net: Net): void {
  const v = net.sysctl.get('net.core.flow_limit_cpu_bitmap') ?? '0';
  if (flowLimitSeen.get(net) === v) return;
  flowLimitSeen.set(net, v);
  const mask = parseCpuMask(v);
  for (const sd of net.softnet) {
    const on = Number.isFinite(mask) && (mask & (1 << sd.cpu.id)) !== 0;
    if (on && !sd.flow_limit) sd.flow_limit = new SdFlowLimit(net.sysctlInt('net.core.flow_limit_table_len'));
    else if (!on) sd.flow_limit = null;
  }
}

/** get_rps_cpu: the CPU the RPS map of the packet's receive queue picks for
 * its flow hash, or -1 when that queue has no map. RFS is not modelled. */
export function get_rps_cpu(net: Net, dev: NetDevice, skb: SkBuff): number {
  const index = skb.queue_mapping;
  if (index >= Math.max(1, dev.real_num_rx_queues)) return -1;
  const map = netdev_rx_queue(net, dev, index).rps_map;
  if (!map.length) return -1;
  const hash = skb_get_hash(net, skb);
  if (!hash) return -1;
  return map[reciprocal_scale(hash, map.length)];
}

/** reciprocal_scale: map a 32-bit value onto [0, n). */
export function reciprocal_scale(val: number, n: number): number {
  return Math.floor(((val >>> 0) * n) / 4294967296);
}

const hashrnd = new WeakMap<Net, number>();

/** skb_get_hash: the NIC's RSS hash when it gave one, else the flow
 * dissector's software hash of addresses and ports (__skb_get_hash),
 * seeded once per boot (hashrnd); kept in skb->hash. */
export function skb_get_hash(net: Net, skb: SkBuff): number {
  if (skb.hash) return skb.hash;
  let seed = hashrnd.get(net);
  if (seed === undefined) hashrnd.set(net, (seed = net.prng.u32()));
  const b = skb.buf;
  const o = skb.data;
  let h = seed ^ skb.protocol;
  if (skb.protocol === ETH_P_IP && skb.len >= 20) {
    const ihl = (b[o] & 0xf) * 4;
    const proto = b[o + 9];
    const frag = ((b[o + 6] << 8) | b[o + 7]) & 0x3fff;
    h = mix(h, ((b[o + 12] << 24) | (b[o + 13] << 16) | (b[o + 14] << 8) | b[o + 15]) >>> 0);
    h = mix(h, ((b[o + 16] << 24) | (b[o + 17] << 16) | (b[o + 18] << 8) | b[o + 19]) >>> 0);
    h = mix(h, proto);
    if (!frag && (proto === 6 || proto === 17) && skb.len >= ihl + 4) h = mix(h, ((b[o + ihl] << 24) | (b[o + ihl + 1] << 16) | (b[o + ihl + 2] << 8) | b[o + ihl + 3]) >>> 0);
  }
  h = fmix(h) || 1; // __flow_hash_from_keys never returns 0
  skb.hash = h;
  return h;
}

function mix(h: number, v: number): number {
  h = Math.imul(h ^ v, 0x9e3779b1) >>> 0;
  return ((h << 13) | (h >>> 19)) >>> 0;
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** process_backlog: the backlog's NAPI poll. Takes the whole
 * input_pkt_queue over into process_queue and works through it, so
 * netif_rx on other CPUs can keep filling input_pkt_queue meanwhile. */
set_process_backlog((sd: SoftnetData, napi: NapiStruct, quota: number): number => {
  const net = sd.net;
  if (sd.rps_ipi_list.length) net_rps_action_and_irq_enable(net, sd);
  const hot = net.sysctl.hot();
  napi.weight = hot.dev_weight * hot.dev_weight_rx_bias;
  let work = 0;
  for (;;) {
    while (sd.process_queue.length) {
      const skb = sd.process_queue.shift()!;
      __netif_receive_skb_core(net, skb);
      if (++work >= quota) {
        sd.input_queue_head += work;
        return work;
      }
    }
    if (!sd.input_pkt_queue.length) {
      napi.scheduled = false;
      break;
    }
    sd.process_queue.push(...sd.input_pkt_queue.splice(0));
  }
  sd.input_queue_head += work;
  return work;
});

// ---- transmit -----------------------------------------------------------------

/** dev_queue_xmit: through the device's qdisc (or straight to the driver for
 * queue-less devices such as lo). Consumes skb. Returns NET_XMIT_*. */
export function dev_queue_xmit(net: Net, skb: SkBuff): number {
  const dev = skb.dev!;
  skb.skb_reset_mac_header();
  if (net.tracer.active) net.tracer.fnf(skb, 'net_dev_queue', fmtDevLen, dev.name, skb.len);
  if (!dev.up) {
    dev.stats.tx_dropped++;
    kfree_skb(skb, 'DEV_READY', '__dev_queue_xmit');
    return NET_XMIT_DROP;
  }
  if (dev.num_tx_queues > 1) skb.queue_mapping = netdev_pick_tx(net, dev, skb);
  if (dev.qdisc) return qdisc_enqueue_xmit(net, dev.qdisc, skb);
  return dev_hard_start_xmit(net, skb, dev) === NETDEV_TX_OK ? NET_XMIT_SUCCESS : NET_XMIT_DROP;
}

/** netdev_pick_tx without XPS (skb_tx_hash): a forwarded packet keeps the
 * number of the queue it came in on; a local one goes by its flow hash. */
function netdev_pick_tx(net: Net, dev: NetDevice, skb: SkBuff): number {
  const n = dev.num_tx_queues;
  if (!skb.sk) return skb.queue_mapping % n;
  skb.skb_pull(ETH_HLEN);
  const hash = skb_get_hash(net, skb);
  skb.skb_push(ETH_HLEN);
  return reciprocal_scale(hash, n);
}

export const NET_XMIT_SUCCESS = 0;
export const NET_XMIT_DROP = 1;

/** dev_hard_start_xmit: taps see the frame, then the driver gets it. */
export function dev_hard_start_xmit(net: Net, skb: SkBuff, dev: NetDevice): number {
  const taps = net.ptype_all;
  if (taps.length) for (const t of taps) if (t.dev === null || t.dev === dev) t.rcv(skb, dev, true);
  const len = skb.len;
  const rc = dev.ops.ndo_start_xmit(skb, dev);
  if (net.tracer.active) net.tracer.fnf(rc === NETDEV_TX_OK ? skb : null, 'net_dev_xmit', fmtDevXmit, dev.name, len, rc);
  return rc;
}

/** __netif_schedule: have NET_TX run the qdisc again (queue woke up, quota ran out). */
export function netif_schedule(net: Net, dev: NetDevice): void {
  if (!dev.qdisc || dev.qdisc.scheduled) return;
  dev.qdisc.scheduled = true;
  const cpu = net.curCpu ?? net.cpus[0];
  net.softnet[cpu.id].output_queue.push(dev);
  raise_softirq(net, cpu, NET_TX_SOFTIRQ);
}

/** net_tx_action: run the qdiscs that asked to be run on this CPU. */
export function net_tx_action(net: Net, cpu: Cpu): void {
  const devs = net.softnet[cpu.id].output_queue.splice(0);
  for (const dev of devs) {
    if (!dev.qdisc) continue;
    dev.qdisc.scheduled = false;
    qdisc_run(net, dev.qdisc);
  }
}

// ---- device life cycle: notifier chain, carrier, open/close, (un)register ----

/** The netdevice notifier events modelled (include/linux/netdevice.h). */
export type NetdevEvent =
  | 'NETDEV_REGISTER'
  | 'NETDEV_UP'
  | 'NETDEV_GOING_DOWN'
  | 'NETDEV_DOWN'
  | 'NETDEV_CHANGE'
  | 'NETDEV_CHANGEADDR'
  | 'NETDEV_UNREGISTER';

export function register_netdevice_notifier(net: Net, fn: (event: NetdevEvent, dev: NetDevice) => void): void {
  net.netdev_chain.push(fn);
}

export function call_netdevice_notifiers(net: Net, event: NetdevEvent, dev: NetDevice): void {
  for (const fn of [...net.netdev_chain]) fn(event, dev);
}

/** netif_carrier_on/off (net/sched/sch_generic.c): linkwatch then reports
 * NETDEV_CHANGE while the device is up. Linkwatch's batching delay is not
 * modelled: the event is immediate. */
export function netif_carrier_on(net: Net, dev: NetDevice): void {
  if (dev.carrier) return;
  dev.carrier = true;
  if (dev.up) call_netdevice_notifiers(net, 'NETDEV_CHANGE', dev);
}
export function netif_carrier_off(net: Net, dev: NetDevice): void {
  if (!dev.carrier) return;
  dev.carrier = false;
  if (dev.up) call_netdevice_notifiers(net, 'NETDEV_CHANGE', dev);
}

/** dev_open: the driver's ndo_open, IFF_UP, then NETDEV_UP, on which IPv4
 * puts the device's routes back (fib_netdev_event). */
export function dev_open(net: Net, dev: NetDevice): void {
  if (dev.up) return;
  dev.ops.ndo_open?.(dev);
  dev.flags |= IFF_UP;
  fib_sync_dev_routes(net, dev);
  call_netdevice_notifiers(net, 'NETDEV_UP', dev);
}

/** dev_close: NETDEV_GOING_DOWN, IFF_UP off, ndo_stop, then what NETDEV_DOWN
 * does in ARP (neigh_ifdown), the qdisc (dev_deactivate) and the FIB. */
export function dev_close(net: Net, dev: NetDevice): void {
  if (!dev.up) return;
  call_netdevice_notifiers(net, 'NETDEV_GOING_DOWN', dev);
  dev.flags &= ~IFF_UP;
  dev.ops.ndo_stop?.(dev);
  net.arp_tbl.ifdown(dev);
  dev.qdisc?.reset();
  fib_sync_dev_routes(net, dev);
  call_netdevice_notifiers(net, 'NETDEV_DOWN', dev);
}

/** dev_set_mac_address: the driver's ndo_set_mac_address, then NETDEV_CHANGEADDR. */
export function dev_set_mac_address(net: Net, dev: NetDevice, addr: Uint8Array): void {
  if (dev.ops.ndo_set_mac_address) dev.ops.ndo_set_mac_address(dev, addr);
  else dev.dev_addr = new Uint8Array(addr);
  call_netdevice_notifiers(net, 'NETDEV_CHANGEADDR', dev);
}

/** eth_hw_addr_random: a random, locally administered unicast address. */
export function eth_random_addr(net: Net): Uint8Array {
  const a = new Uint8Array(6);
  const x = net.prng.u32();
  const y = net.prng.u32();
  a[0] = ((x >>> 24) & 0xfe) | 0x02;
  a[1] = (x >>> 16) & 0xff;
  a[2] = (x >>> 8) & 0xff;
  a[3] = x & 0xff;
  a[4] = (y >>> 8) & 0xff;
  a[5] = y & 0xff;
  return a;
}

/** dev_alloc_name: "veth%d" -> the first free veth0, veth1, ... */
export function dev_alloc_name(net: Net, pattern: string): string {
  for (let i = 0; ; i++) {
    const name = pattern.replace('%d', String(i));
    if (!net.dev_get_by_name(name)) return name;
  }
}

/** register_netdevice: the device joins the namespace with its
 * net.ipv4.conf/neigh entries (inetdev_init, neigh_parms_alloc). */
export function register_netdevice(net: Net, dev: NetDevice): void {
  net.sysctl.addInterface(dev.name);
  net.devices.set(dev.ifindex, dev);
  call_netdevice_notifiers(net, 'NETDEV_REGISTER', dev);
}

/** unregister_netdevice: close it, tell the chain (a bridge lets the port
 * go), drop its addresses (inetdev_destroy) and neighbours, and remove it. */
export function unregister_netdevice(net: Net, dev: NetDevice): void {
  dev_close(net, dev);
  call_netdevice_notifiers(net, 'NETDEV_UNREGISTER', dev);
  if (dev.ip_ptr) dev.ip_ptr.ifa_list = [];
  inet_addrs_changed();
  fib_sync_dev_routes(net, dev);
  net.arp_tbl.ifdown(dev);
  net.devices.delete(dev.ifindex);
  net.sysctl.removeInterface(dev.name);
}
