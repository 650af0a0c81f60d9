// net/core/pktgen.c: the in-kernel packet generator. A kernel thread
// (kpktgend_N, bound to CPU N) builds UDP/IPv4 frames itself and hands them
// straight to the driver (netdev_start_xmit: no socket, no IP stack, no
// qdisc, no taps), so one CPU can offer far more packets than a socket
// sender: the tool that fills a receiver's rings. Delays under 100 us are
// busy-waited (the CPU stays busy), longer ones sleep. The result reads as
// /proc/net/pktgen/DEV does.
import type { Net } from '../net_namespace.js';
import type { NetDevice } from './netdevice.js';
import { NETDEV_TX_OK } from './netdevice.js';
import { alloc_skb, kfree_skb } from './skbuff.js';
import { run_on_cpu } from '../../kernel/softirq.js';
import { ETH_P_IP, formatMac } from '../wire/ethernet.js';
import { IPPROTO_UDP, ip_send_check, put16, put32, formatIPv4 } from '../wire/ip.js';

export const PKTGEN_VERSION = '2.75';
const PKTGEN_MAGIC = 0xbe9be955;
/** CPU time to allocate and fill a new frame, and to resend a clone. */
const FILL_PACKET_NS = 250;
const CLONE_NS = 60;
/** How much thread time one simulation step covers. */
const SLICE_NS = 20_000;

/** The flags of pkt_flag_names, in order. */
const PKT_FLAGS = [
  'IPV6', 'IPSRC_RND', 'IPDST_RND', 'TXSIZE_RND', 'UDPSRC_RND', 'UDPDST_RND', 'UDPCSUM', 'NO_TIMESTAMP', 'MPLS_RND',
  'QUEUE_MAP_RND', 'QUEUE_MAP_CPU', 'FLOW_SEQ', 'IPSEC', 'MACSRC_RND', 'MACDST_RND', 'VID_RND', 'SVID_RND', 'NODE', 'SHARED',
];

export interface PktgenConfig {
  count: number;
  pkt_size: number;
  /** Nanoseconds between packets (0: as fast as possible). */
  delay: number;
  clone_skb: number;
  burst: number;
  dst_min: number;
  dst_max: number;
  dst_mac: Uint8Array;
  udp_src_min: number;
  udp_src_max: number;
  udp_dst_min: number;
  udp_dst_max: number;
  flags: Set<string>;
}

export class PktgenDev {
  sofar = 0;
  errors = 0;
  seq_num = 1;
  started_at = 0;
  stopped_at = 0;
  idle_acc = 0;
  tx_bytes = 0;
  running = false;
  result = '';
  cur_saddr = 0;
  cur_daddr = 0;
  cur_udp_src: number;
  cur_udp_dst: number;
  private ip_id = 0;
  private next_tx = 0;
  private last_ok = true;
  private clone_count = 0;
  private done: (() => void)[] = [];

  constructor(
    readonly net: Net,
    readonly odev: NetDevice,
    readonly cpu: number,
    readonly cfg: PktgenConfig,
  ) {
    this.cur_udp_src = cfg.udp_src_min;
    this.cur_udp_dst = cfg.udp_dst_min;
    this.cur_daddr = cfg.dst_min;
    this.cur_saddr = odev.ip_ptr?.ifa_list[0]?.address ?? 0;
  }

  /** pktgen_run: start the thread; `onDone` runs once the count is sent. */
  start(onDone: () => void): void {
    this.done.push(onDone);
    this.running = true;
    this.started_at = this.net.engine.now;
    this.next_tx = this.started_at;
    this.result = '';
    this.net.engine.at(this.net.engine.now, () => this.worker());
  }

  /** pktgen_stop_device (also on Ctrl-C). */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.stopped_at = Math.max(this.net.engine.now, this.stopped_at);
    this.show_results();
    for (const f of this.done.splice(0)) f();
  }

  /** pktgen_thread_worker: transmit for a slice of thread time, then yield. */
  private worker(): void {
    if (!this.running) return;
    const net = this.net;
    const cpu = net.cpus[this.cpu];
    let wakeAt = -1;
    run_on_cpu(
      net,
      cpu,
      'system',
      () => {
        const sliceEnd = cpu.clock + SLICE_NS;
        while (this.running && cpu.clock < sliceEnd) {
          if (!this.odev.up || !this.odev.carrier) {
            this.stopped_at = cpu.clock;
            this.stop();
            return;
          }
          if (this.cfg.delay && this.last_ok && this.next_tx > cpu.clock) {
            // spin(): busy-wait short delays; sleep on an hrtimer for long ones.
            const wait = this.next_tx - cpu.clock;
            this.idle_acc += wait;
            if (wait >= 100_000) {
              wakeAt = this.next_tx;
              return;
            }
            cpu.spend(wait);
          }
          if (!this.xmit(cpu.clock)) {
            // The TX queue is stopped: spin until the driver wakes it.
            wakeAt = cpu.clock + 1000;
            cpu.spend(1000);
            return;
          }
          if (this.cfg.count && this.sofar >= this.cfg.count) {
            this.stopped_at = cpu.clock;
            this.stop();
            return;
          }
        }
        wakeAt = cpu.clock;
      },
      false,
    );
    if (this.running && wakeAt >= 0) net.engine.at(wakeAt, () => this.worker());
  }

  /** pktgen_xmit, M_START_XMIT: one frame straight to the driver. False
   * when the queue is stopped (the frame is kept for the next try). */
  private xmit(now: number): boolean {
    const net = this.net;
    const dev = this.odev;
    const q = 0;
    if (dev.ops.tx_queue_stopped?.(dev, q)) {
      this.last_ok = false;
      return false;
    }
    const reuse = this.last_ok && this.clone_count + 1 < this.cfg.clone_skb && this.sofar > 0;
    if (reuse) this.clone_count++;
    else this.clone_count = 0;
    net.spend(reuse ? CLONE_NS : FILL_PACKET_NS);
    const skb = this.fill_packet_ipv4(!reuse);
    skb.queue_mapping = q;
    const len = skb.len;
    const rc = dev.ops.ndo_start_xmit(skb, dev);
    if (rc !== NETDEV_TX_OK) {
      kfree_skb(skb, 'NOT_SPECIFIED', 'pktgen_xmit');
      this.last_ok = false;
      return false;
    }
    this.last_ok = true;
    this.sofar++;
    this.seq_num++;
    this.tx_bytes += len;
    if (this.cfg.delay) this.next_tx = Math.max(this.next_tx, now) + this.cfg.delay;
    return true;
  }

  /** mod_cur_headers for the ports: incrementing, or random with *_RND;
   * the max is exclusive. */
  private mod_cur_headers(): void {
    const c = this.cfg;
    if (c.udp_src_min < c.udp_src_max) {
      if (c.flags.has('UDPSRC_RND')) this.cur_udp_src = c.udp_src_min + this.net.prng.below(c.udp_src_max - c.udp_src_min);
      else if (++this.cur_udp_src >= c.udp_src_max) this.cur_udp_src = c.udp_src_min;
    }
    if (c.udp_dst_min < c.udp_dst_max) {
      if (c.flags.has('UDPDST_RND')) this.cur_udp_dst = c.udp_dst_min + this.net.prng.below(c.udp_dst_max - c.udp_dst_min);
      else if (++this.cur_udp_dst >= c.udp_dst_max) this.cur_udp_dst = c.udp_dst_min;
    }
    if (c.dst_min < c.dst_max) {
      if (c.flags.has('IPDST_RND')) this.cur_daddr = c.dst_min + this.net.prng.below(c.dst_max - c.dst_min + 1);
      else if (++this.cur_daddr > c.dst_max) this.cur_daddr = c.dst_min;
    }
  }

  /** fill_packet_ipv4: Ethernet, IPv4 (TTL 32), UDP (no checksum unless
   * UDPCSUM), the pktgen header (magic, sequence, timestamp), zero padding
   * up to pkt_size. */
  private fill_packet_ipv4(fresh: boolean) {
    if (fresh) this.mod_cur_headers();
    const c = this.cfg;
    const datalen = Math.max(c.pkt_size - 14 - 20 - 8, 16);
    const skb = alloc_skb(this.net, 14 + 20 + 8 + datalen, 16);
    const b = skb.buf;
    const e = skb.skb_put(14);
    b.set(c.dst_mac, e);
    b.set(this.odev.dev_addr, e + 6);
    put16(b, e + 12, ETH_P_IP);
    const ip = skb.skb_put(20);
    b[ip] = 0x45;
    b[ip + 1] = 0;
    put16(b, ip + 2, 20 + 8 + datalen);
    put16(b, ip + 4, this.ip_id);
    this.ip_id = (this.ip_id + 1) & 0xffff;
    put16(b, ip + 6, 0);
    b[ip + 8] = 32;
    b[ip + 9] = IPPROTO_UDP;
    put32(b, ip + 12, this.cur_saddr);
    put32(b, ip + 16, this.cur_daddr);
    ip_send_check(b, ip);
    const uh = skb.skb_put(8 + datalen);
    put16(b, uh, this.cur_udp_src);
    put16(b, uh + 2, this.cur_udp_dst);
    put16(b, uh + 4, datalen + 8);
    put16(b, uh + 6, 0);
    put32(b, uh + 8, PKTGEN_MAGIC);
    put32(b, uh + 12, this.seq_num);
    if (!c.flags.has('NO_TIMESTAMP')) {
      const t = this.net.now();
      put32(b, uh + 16, Math.floor(t / 1e9));
      put32(b, uh + 20, Math.floor((t % 1e9) / 1e3));
    }
    skb.skb_reset_mac_header();
    skb.protocol = ETH_P_IP;
    skb.dev = this.odev;
    return skb;
  }

  /** show_results. */
  private show_results(): void {
    const elapsed = Math.max(1, this.stopped_at - this.started_at);
    const us = (ns: number) => Math.floor(ns / 1000);
    const pps = Math.floor((this.sofar * 1e9) / elapsed);
    const bps = pps * 8 * this.cfg.pkt_size;
    this.result =
      `OK: ${us(elapsed)}(c${us(elapsed - this.idle_acc)}+d${us(this.idle_acc)}) usec, ${this.sofar} (${this.cfg.pkt_size}byte,0frags)\n` +
      `  ${pps}pps ${Math.floor(bps / 1e6)}Mb/sec (${bps}bps) errors: ${this.errors}`;
  }

  /** pktgen_if_show: the text of /proc/net/pktgen/DEV. */
  show(): string {
    const c = this.cfg;
    const flags = PKT_FLAGS.filter((f, i) => c.flags.has(f) && i !== PKT_FLAGS.indexOf('FLOW_SEQ'));
    const stopped = this.running ? this.net.engine.now : this.stopped_at;
    const ip = (a: number) => (a ? formatIPv4(a) : '');
    return (
      `Params: count ${c.count}  min_pkt_size: ${c.pkt_size}  max_pkt_size: ${c.pkt_size}\n` +
      `     frags: 0  delay: ${c.delay}  clone_skb: ${c.clone_skb}  ifname: ${this.odev.name}\n` +
      '     flows: 0 flowlen: 0\n' +
      '     queue_map_min: 0  queue_map_max: 0\n' +
      `     dst_min: ${ip(c.dst_min)}  dst_max: ${c.dst_max !== c.dst_min ? ip(c.dst_max) : ''}\n` +
      '     src_min:   src_max: \n' +
      `     src_mac: ${formatMac(this.odev.dev_addr)} dst_mac: ${formatMac(c.dst_mac)}\n` +
      `     udp_src_min: ${c.udp_src_min}  udp_src_max: ${c.udp_src_max}  udp_dst_min: ${c.udp_dst_min}  udp_dst_max: ${c.udp_dst_max}\n` +
      '     src_mac_count: 0  dst_mac_count: 0\n' +
      (c.burst > 1 ? `     burst: ${c.burst}\n` : '') +
      `     Flags: ${flags.map((f) => f + '  ').join('')}\n` +
      `Current:\n     pkts-sofar: ${this.sofar}  errors: ${this.errors}\n` +
      `     started: ${Math.floor(this.started_at / 1000)}us  stopped: ${Math.floor(stopped / 1000)}us idle: ${Math.floor(this.idle_acc / 1000)}us\n` +
      `     seq_num: ${this.seq_num}  cur_dst_mac_offset: 0  cur_src_mac_offset: 0\n` +
      `     cur_saddr: ${formatIPv4(this.cur_saddr)}  cur_daddr: ${formatIPv4(this.cur_daddr)}\n` +
      `     cur_udp_dst: ${this.cur_udp_dst}  cur_udp_src: ${this.cur_udp_src}\n` +
      '     cur_queue_map: 0\n' +
      '     flows: 0\n' +
      `Result: ${this.result || 'Idle'}\n`
    );
  }
}

/** The generator's devices per host (/proc/net/pktgen/DEV). */
const pktgenDevs = new WeakMap<Net, Map<string, PktgenDev>>();

export function pktgen_devices(net: Net): Map<string, PktgenDev> {
  let m = pktgenDevs.get(net);
  if (!m) pktgenDevs.set(net, (m = new Map()));
  return m;
}
