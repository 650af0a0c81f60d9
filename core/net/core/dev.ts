// net/core/dev.c: NAPI scheduling and net_rx_action under netdev_budget,
// the backlog (netif_rx), __netif_receive_skb_core with its taps and protocol
// dispatch, and the transmit side dev_queue_xmit -> qdisc -> driver.
import type { Net } from '../net_namespace.js';
import type { Cpu } from '../../kernel/cpu.js';
import { NET_RX_SOFTIRQ, NET_TX_SOFTIRQ } from '../../kernel/cpu.js';
import { raise_softirq } from '../../kernel/softirq.js';
import { COST } from '../../kernel/costs.js';
import { type SkBuff, kfree_skb, PACKET_BROADCAST, PACKET_MULTICAST, PACKET_OTHERHOST, PACKET_HOST } from './skbuff.js';
import { type NetDevice, NETDEV_TX_OK } from './netdevice.js';
import { type NapiStruct, type SoftnetData, set_process_backlog } from './softnet.js';
import { ETH_HLEN, ETH_P_ARP, ETH_P_IP, eth, ether_addr_equal, is_multicast_ether_addr, is_broadcast_ether_addr } from '../wire/ethernet.js';
import { ip_rcv } from '../ipv4/ip_input.js';
import { arp_rcv } from '../ipv4/arp.js';
import { qdisc_run, qdisc_enqueue_xmit } from '../sched/sch_generic.js';

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

/** napi_schedule: put the NAPI instance on this CPU's poll list and raise NET_RX. */
export function napi_schedule(net: Net, napi: NapiStruct, cpu: Cpu): void {
  if (napi.scheduled) return;
  napi.scheduled = true;
  napi.cpu = cpu.id;
  net.softnet[cpu.id].poll_list.push(napi);
  net.tracer.fn(null, 'napi_schedule', napi.name);
  raise_softirq(net, cpu, NET_RX_SOFTIRQ);
}

/** napi_complete_done: the driver finished under budget; it may re-enable its IRQ. */
export function napi_complete_done(napi: NapiStruct): void {
  napi.scheduled = false;
}

/** net_rx_action: poll the NAPI instances on this CPU's list until
 * netdev_budget packets or netdev_budget_usecs are used up. */
export function net_rx_action(net: Net, cpu: Cpu): void {
  const sd = net.softnet[cpu.id];
  const time_limit = cpu.clock + net.sysctlInt('net.core.netdev_budget_usecs') * 1000;
  let budget = net.sysctlInt('net.core.netdev_budget');
  net.tracer.fn(null, 'net_rx_action', `budget ${budget}`);
  const list = sd.poll_list.splice(0);
  const repoll: NapiStruct[] = [];
  while (list.length) {
    const n = list.shift()!;
    budget -= napi_poll(net, n, repoll);
    if (budget <= 0 || cpu.clock >= time_limit) {
      sd.time_squeeze++;
      net.tracer.fn(null, 'time_squeeze', `budget ${budget}`);
      break;
    }
  }
  // Unfinished instances go back first, then those that used a full weight,
  // then ones scheduled meanwhile (list_splice order in net_rx_action).
  const again = [...list, ...repoll];
  sd.poll_list.unshift(...again);
  if (sd.poll_list.length) raise_softirq(net, cpu, NET_RX_SOFTIRQ);
}

function napi_poll(net: Net, n: NapiStruct, repoll: NapiStruct[]): number {
  const weight = n.weight;
  net.spend(COST.napi_poll);
  n.polls++;
  const work = n.poll(n, weight);
  net.tracer.fn(null, 'napi_poll', `${n.name} work ${work} budget ${weight}`);
  if (work < weight) return work;
  // Used the whole weight: still scheduled, poll again later.
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
  const dst = eth.dest(b, o);
  if (is_multicast_ether_addr(dst)) {
    skb.pkt_type = is_broadcast_ether_addr(dst) ? PACKET_BROADCAST : PACKET_MULTICAST;
  } else if (!ether_addr_equal(dst, dev.dev_addr)) {
    skb.pkt_type = PACKET_OTHERHOST;
  } else {
    skb.pkt_type = PACKET_HOST;
  }
  const proto = eth.proto(b, o);
  skb.skb_pull(ETH_HLEN);
  skb.protocol = proto;
  return proto;
}

/** netif_receive_skb: hand a packet to the stack from NAPI context. */
export function netif_receive_skb(net: Net, skb: SkBuff): void {
  __netif_receive_skb_core(net, skb);
}

/** __netif_receive_skb_core: taps (ptype_all) first, then the device's
 * rx_handler (bridge), then the protocol handler (ptype_base). Consumes skb. */
export function __netif_receive_skb_core(net: Net, skb: SkBuff): void {
  const cpu = net.curCpu;
  if (cpu) net.softnet[cpu.id].processed++;
  net.spend(COST.netif_receive_skb);
  net.tracer.fn(skb, 'netif_receive_skb', `dev=${skb.dev!.name} len=${skb.len}`);
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

/** netif_rx / enqueue_to_backlog: queue to this CPU's backlog (loopback,
 * veth, RPS). Drops when netdev_max_backlog packets are already queued. */
export function netif_rx(net: Net, skb: SkBuff, cpu: Cpu): number {
  const sd = net.softnet[cpu.id];
  net.tracer.fn(skb, 'netif_rx', `dev=${skb.dev!.name} len=${skb.len}`);
  if (sd.input_pkt_queue.length >= net.sysctlInt('net.core.netdev_max_backlog')) {
    sd.dropped++;
    skb.dev!.stats.rx_dropped++;
    kfree_skb(skb, 'CPU_BACKLOG', 'enqueue_to_backlog');
    return NET_RX_DROP;
  }
  sd.input_pkt_queue.push(skb);
  napi_schedule(net, sd.backlog, cpu);
  return NET_RX_SUCCESS;
}

export const NET_RX_SUCCESS = 0;
export const NET_RX_DROP = 1;

set_process_backlog((sd: SoftnetData, napi: NapiStruct, quota: number): number => {
  const net = sd.net;
  let work = 0;
  while (work < quota && sd.input_pkt_queue.length) {
    const skb = sd.input_pkt_queue.shift()!;
    __netif_receive_skb_core(net, skb);
    work++;
  }
  if (!sd.input_pkt_queue.length) napi.scheduled = false;
  return work;
});

// ---- transmit -----------------------------------------------------------------

/** dev_queue_xmit: through the device's qdisc (or straight to the driver for
 * queue-less devices such as lo). Consumes skb. Returns NET_XMIT_*. */
export function dev_queue_xmit(net: Net, skb: SkBuff): number {
  const dev = skb.dev!;
  skb.skb_reset_mac_header();
  net.tracer.fn(skb, 'net_dev_queue', `dev=${dev.name} len=${skb.len}`);
  if (!dev.up) {
    dev.stats.tx_dropped++;
    kfree_skb(skb, 'DEV_READY', '__dev_queue_xmit');
    return NET_XMIT_DROP;
  }
  if (dev.qdisc) return qdisc_enqueue_xmit(net, dev.qdisc, skb);
  return dev_hard_start_xmit(net, skb, dev) === NETDEV_TX_OK ? NET_XMIT_SUCCESS : NET_XMIT_DROP;
}

export const NET_XMIT_SUCCESS = 0;
export const NET_XMIT_DROP = 1;

/** dev_hard_start_xmit: taps see the frame, then the driver gets it. */
export function dev_hard_start_xmit(net: Net, skb: SkBuff, dev: NetDevice): number {
  const taps = net.ptype_all;
  if (taps.length) for (const t of taps) if (t.dev === null || t.dev === dev) t.rcv(skb, dev, true);
  const len = skb.len;
  const rc = dev.ops.ndo_start_xmit(skb, dev);
  net.tracer.fn(rc === NETDEV_TX_OK ? skb : null, 'net_dev_xmit', `dev=${dev.name} len=${len} rc=${rc}`);
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
