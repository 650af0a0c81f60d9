// net/ipv4/arp.c: answering requests for our addresses, learning from what
// we hear, and soliciting for the neighbour layer.
import type { Net } from '../net_namespace.js';
import type { NetDevice } from '../core/netdevice.js';
import { type SkBuff, alloc_skb, consume_skb, kfree_skb, PACKET_HOST, MAX_HEADER } from '../core/skbuff.js';
import { arph, ARP_HLEN, ARPHRD_ETHER, ARPOP_REPLY, ARPOP_REQUEST } from '../wire/arp.js';
import { ETH_P_ARP, ETH_P_IP, eth, BROADCAST_MAC, is_multicast_ether_addr, formatMac } from '../wire/ethernet.js';
import { put16, put32, iph, ipv4_is_loopback, ipv4_is_multicast } from '../wire/ip.js';
import { dev_queue_xmit } from '../core/dev.js';
import { type Neighbour, NEIGH_UPDATE_F_OVERRIDE, NUD_REACHABLE, NUD_STALE, NUD_VALID } from '../core/neighbour.js';
import { ip_route_input } from './route.js';
import { RTN_LOCAL } from './fib.js';
import { inet_select_addr, in_dev_get, IN_DEV_CONF, ip_dev_find } from './devinet.js';
import { RT_SCOPE_LINK } from './fib.js';
import { icmp_send } from './icmp.js';
import { ICMP_DEST_UNREACH, ICMP_HOST_UNREACH } from '../wire/icmp.js';
import { COST } from '../../kernel/costs.js';

/** Wire the ARP table's callbacks (arp_init). */
export function arp_init(net: Net): void {
  net.arp_tbl.solicit = (n, skb) => arp_solicit(net, n, skb);
  net.arp_tbl.error_report = (n, skb) => arp_error_report(net, n, skb);
}

/** arp_rcv: sanity checks, then arp_process. Consumes skb. */
export function arp_rcv(net: Net, skb: SkBuff, dev: NetDevice): void {
  net.spend(COST.arp);
  net.tracer.fn(skb, 'arp_rcv');
  const b = skb.buf;
  const o = skb.data;
  if (skb.len < ARP_HLEN || arph.hln(b, o) !== 6 || arph.pln(b, o) !== 4 || dev.flags & 0x80) {
    kfree_skb(skb, 'PKT_TOO_SMALL', 'arp_rcv');
    return;
  }
  if (skb.pkt_type === 3 /* OTHERHOST */) {
    consume_skb(skb, 'arp_rcv');
    return;
  }
  arp_process(net, skb, dev);
}

function arp_process(net: Net, skb: SkBuff, dev: NetDevice): void {
  const b = skb.buf;
  const o = skb.data;
  const op = arph.op(b, o);
  if (arph.hrd(b, o) !== ARPHRD_ETHER || arph.pro(b, o) !== ETH_P_IP || (op !== ARPOP_REQUEST && op !== ARPOP_REPLY)) {
    kfree_skb(skb, 'NOT_SPECIFIED', 'arp_process');
    return;
  }
  const sha = new Uint8Array(arph.sha(b, o));
  const sip = arph.sip(b, o);
  const tip = arph.tip(b, o);
  // Check for bad requests for 127.x.x.x and requests for multicast addresses.
  if (ipv4_is_multicast(tip) || ipv4_is_loopback(tip) || is_multicast_ether_addr(sha)) {
    kfree_skb(skb, 'NOT_SPECIFIED', 'arp_process');
    return;
  }
  if (net.tracer.on) net.tracer.fn(skb, 'arp_process', op === ARPOP_REQUEST ? `request who-has ${fmt(tip)} tell ${fmt(sip)}` : `reply ${fmt(sip)} is-at ${formatMac(sha)}`);
  const tbl = net.arp_tbl;
  // Gratuitous/duplicate address detection probe (sip 0): answer if ours.
  if (sip === 0) {
    if (op === ARPOP_REQUEST && ip_dev_find(net, tip) && !arp_ignore(net, dev, sip, tip)) arp_send(net, ARPOP_REPLY, sip, dev, tip, sha, dev.dev_addr, sha);
    consume_skb(skb, 'arp_process');
    return;
  }
  if (op === ARPOP_REQUEST) {
    const rt = ip_route_input(net, tip, sip, 0, dev);
    if (!('err' in rt) && rt.type === RTN_LOCAL) {
      if (!arp_ignore(net, dev, sip, tip)) {
        // neigh_event_ns: the asker is now a STALE neighbour.
        const n = tbl.lookup(sip, dev) ?? tbl.create(sip, dev);
        tbl.update(n, sha, NUD_STALE, NEIGH_UPDATE_F_OVERRIDE);
        arp_send(net, ARPOP_REPLY, sip, dev, tip, sha, dev.dev_addr, sha);
      }
      consume_skb(skb, 'arp_process');
      return;
    }
  }
  // Update our cache if we already have an entry for the sender.
  const n = tbl.lookup(sip, dev);
  if (n) {
    let state = NUD_REACHABLE;
    const locktime = net.sysctlInt(`net.ipv4.neigh.${dev.name}.locktime`) * 10e6; // centiseconds? (USER_HZ ticks)
    const override = net.now() > n.updated + locktime;
    if (op !== ARPOP_REPLY || skb.pkt_type !== PACKET_HOST) state = NUD_STALE;
    tbl.update(n, sha, state, override ? NEIGH_UPDATE_F_OVERRIDE : 0);
  }
  consume_skb(skb, 'arp_process');
}

/** arp_ignore (sysctl): 0 answers for any local address on any interface. */
function arp_ignore(net: Net, dev: NetDevice, sip: number, tip: number): boolean {
  const mode = IN_DEV_CONF(net, dev, 'arp_ignore');
  if (mode === 0) return false;
  const ind = in_dev_get(dev);
  if (mode === 1) return !ind.ifa_list.some((i) => i.local === tip);
  if (mode === 2) return !ind.ifa_list.some((i) => i.local === tip && ((sip ^ tip) & i.mask) === 0);
  return false;
}

/** arp_create + arp_xmit. */
export function arp_send(net: Net, op: number, dest_ip: number, dev: NetDevice, src_ip: number, dest_hw: Uint8Array | null, src_hw: Uint8Array, target_hw: Uint8Array | null): void {
  const skb = alloc_skb(net, 14 + ARP_HLEN, MAX_HEADER);
  const mo = skb.skb_put(14 + ARP_HLEN);
  const dst = dest_hw ?? BROADCAST_MAC;
  eth.write(skb.buf, mo, dst, src_hw, ETH_P_ARP);
  const b = skb.buf;
  const o = mo + 14;
  put16(b, o, ARPHRD_ETHER);
  put16(b, o + 2, ETH_P_IP);
  b[o + 4] = 6;
  b[o + 5] = 4;
  put16(b, o + 6, op);
  b.set(src_hw, o + 8);
  put32(b, o + 14, src_ip);
  if (target_hw) b.set(target_hw, o + 18);
  put32(b, o + 24, dest_ip);
  skb.dev = dev;
  skb.protocol = ETH_P_ARP;
  net.tracer.fn(skb, 'arp_xmit', `${op === ARPOP_REQUEST ? 'request' : 'reply'} ${fmt(dest_ip)}`);
  dev_queue_xmit(net, skb);
}

/** arp_solicit: ask who has n.key, from the source of the waiting packet
 * when it is ours (arp_announce 0), unicast when re-probing a known address. */
function arp_solicit(net: Net, n: Neighbour, skb: SkBuff | null): void {
  const dev = n.dev;
  let saddr = 0;
  if (skb && IN_DEV_CONF(net, dev, 'arp_announce') === 0) {
    const s = iph.saddr(skb.buf, skb.network_header);
    if (ip_dev_find(net, s)) saddr = s;
  }
  if (!saddr) saddr = inet_select_addr(net, dev, n.key, RT_SCOPE_LINK);
  const ucast = net.sysctlInt(`net.ipv4.neigh.${dev.name}.ucast_solicit`);
  let dst_hw: Uint8Array | null = null;
  if (n.probes < ucast) dst_hw = n.ha; // INCOMPLETE starts at ucast_solicit: broadcast
  arp_send(net, ARPOP_REQUEST, n.key, dev, saddr, dst_hw, dev.dev_addr, null);
}

/** arp_error_report: resolution failed; the sender of a queued packet
 * hears "host unreachable" (via dst_link_failure). */
function arp_error_report(net: Net, _n: Neighbour, skb: SkBuff): void {
  icmp_send(net, skb, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 0);
}

function fmt(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}
