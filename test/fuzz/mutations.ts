// The table of malformed frames and the error counters Linux moves for each,
// with the kernel line that decides it (net/ipv4/{ip_input,ip_options,udp,
// icmp,tcp_ipv4}.c, 6.12). `expect` lists every error counter that moves;
// the others in ERROR_COUNTERS stay put. record-kernel.py sends the same
// frames into a veth in a network namespace and kernel-counters.json keeps
// what the real kernel's /proc/net/{snmp,netstat} said.
import { arp, cat, echo, eth, ETH_P_ARP, ETH_P_IP, icmp, ipFrame, ipv4, tcp, udp, IP_A, IP_B, MAC_B } from './frames.js';

/** Counters as section.field, as /proc/net/snmp and /proc/net/netstat print them. */
export const ERROR_COUNTERS = [
  'Ip.InHdrErrors', 'Ip.InAddrErrors', 'Ip.InUnknownProtos', 'Ip.InDiscards',
  'IpExt.InTruncatedPkts', 'IpExt.InCsumErrors', 'IpExt.InNoRoutes',
  'Icmp.InErrors', 'Icmp.InCsumErrors',
  'Udp.InErrors', 'Udp.InCsumErrors', 'Udp.NoPorts',
  'Tcp.InErrs', 'Tcp.InCsumErrors',
] as const;

/** Also compared with the kernel recording (not errors, but they show the path taken). */
export const PATH_COUNTERS = ['Ip.InReceives', 'Ip.InDelivers', 'Ip.ReasmReqds', 'Icmp.InMsgs', 'Icmp.OutMsgs', 'Udp.InDatagrams', 'Tcp.OutRsts'] as const;

export type Counter = (typeof ERROR_COUNTERS)[number] | (typeof PATH_COUNTERS)[number];

export interface Mutation {
  name: string;
  frame: Uint8Array;
  /** Error counters that move, and by how much (the rest stay 0). */
  expect: Partial<Record<Counter, number>>;
  /** The kernel's rule. */
  why: string;
  /** Needs the TCP receive path (tcp_v4_rcv). */
  tcp?: boolean;
  /** Cannot be sent through a veth from user space (the kernel refuses to transmit it). */
  noKernel?: boolean;
}

const data16 = new Uint8Array(16).map((_, i) => i);
const innerUdp = ipv4(udp(new Uint8Array(0), { sport: 9, dport: 40000, src: IP_B, dst: IP_A }), { src: IP_B, dst: IP_A, proto: 17 });

function ipTruncated(ipLen: number): Uint8Array {
  return eth(ETH_P_IP, ipv4(echo(data16)).subarray(0, ipLen));
}

export const MUTATIONS: Mutation[] = [
  // ---- ip_rcv_core
  { name: 'ip header shorter than 20 bytes', frame: ipTruncated(19), expect: { 'Ip.InHdrErrors': 1 }, why: 'ip_rcv_core: !pskb_may_pull(skb, sizeof(struct iphdr)) -> inhdr_error' },
  { name: 'ip version 6 in an IPv4 ethertype', frame: ipFrame(echo(data16), { version: 6 }), expect: { 'Ip.InHdrErrors': 1 }, why: 'ip_rcv_core: iph->version != 4 -> inhdr_error' },
  { name: 'ip ihl 4', frame: ipFrame(echo(data16), { ihl: 4 }), expect: { 'Ip.InHdrErrors': 1 }, why: 'ip_rcv_core: iph->ihl < 5 -> inhdr_error' },
  { name: 'ip ihl 15 past the end of the frame', frame: eth(ETH_P_IP, ipv4(new Uint8Array(20), { ihl: 15 })), expect: { 'Ip.InHdrErrors': 1 }, why: 'ip_rcv_core: !pskb_may_pull(skb, iph->ihl*4) -> inhdr_error' },
  { name: 'ip header checksum wrong', frame: ipFrame(echo(data16), { badCsum: true }), expect: { 'Ip.InHdrErrors': 1, 'IpExt.InCsumErrors': 1 }, why: 'ip_rcv_core: ip_fast_csum -> csum_error: CSUMERRORS, then INHDRERRORS' },
  { name: 'ip total length beyond the frame', frame: ipFrame(echo(data16), { totLen: 200 }), expect: { 'IpExt.InTruncatedPkts': 1 }, why: 'ip_rcv_core: skb->len < len -> INTRUNCATEDPKTS' },
  { name: 'ip total length below the header', frame: ipFrame(echo(data16), { totLen: 12 }), expect: { 'Ip.InHdrErrors': 1 }, why: 'ip_rcv_core: len < iph->ihl*4 -> inhdr_error' },
  { name: 'ip total length shorter than the frame (padding)', frame: eth(ETH_P_IP, cat(ipv4(echo(data16)), new Uint8Array(30).fill(0xee))), expect: {}, why: 'pskb_trim_rcsum trims the padding; the echo is answered' },
  // ---- routing (ip_route_input_slow / ip_error)
  { name: 'ip source 0.0.0.0 (martian)', frame: ipFrame(echo(data16), { src: [0, 0, 0, 0] }), expect: {}, why: 'ip_route_input_slow: martian_source -> -EINVAL; ip_rcv_finish_core drops with no SNMP counter' },
  { name: 'ip source 127.0.0.1 (martian)', frame: ipFrame(echo(data16), { src: [127, 0, 0, 1] }), expect: {}, why: 'ip_route_input_slow: ipv4_is_loopback(saddr) -> martian_source' },
  { name: 'ip source multicast', frame: ipFrame(echo(data16), { src: [224, 0, 0, 5] }), expect: {}, why: 'ip_route_input_slow: ipv4_is_multicast(saddr) -> martian_source' },
  { name: 'ip destination not local, forwarding off', frame: ipFrame(echo(data16), { dst: [10, 0, 0, 99] }), expect: { 'Ip.InAddrErrors': 1 }, why: 'ip_route_input_slow: !IN_DEV_FORWARD -> -EHOSTUNREACH -> ip_error: INADDRERRORS' },
  { name: 'ip destination off-link, no route', frame: ipFrame(echo(data16), { dst: [192, 0, 2, 1] }), expect: { 'Ip.InAddrErrors': 1 }, why: 'ip_route_input_slow: no route, !IN_DEV_FORWARD -> -EHOSTUNREACH -> ip_error' },
  { name: 'echo to the subnet broadcast', frame: ipFrame(echo(data16), { dst: [10, 0, 0, 255] }), expect: { 'Icmp.InErrors': 1 }, why: 'icmp_rcv: broadcast ECHO with icmp_echo_ignore_broadcasts -> error' },
  { name: 'unknown ip protocol', frame: ipFrame(new Uint8Array(8), { proto: 200 }), expect: { 'Ip.InUnknownProtos': 1 }, why: 'ip_protocol_deliver_rcu: no handler, no raw socket -> INUNKNOWNPROTOS' },
  // ---- IP options (ip_rcv_options / __ip_options_compile)
  { name: 'ip options: four NOPs', frame: ipFrame(echo(data16), { options: [1, 1, 1, 1] }), expect: {}, why: '__ip_options_compile: IPOPT_NOOP skips; the echo is answered' },
  { name: 'ip options: END then junk', frame: ipFrame(echo(data16), { options: [0, 0x44, 0x55, 0x66] }), expect: {}, why: '__ip_options_compile: IPOPT_END ends the list' },
  { name: 'ip options: option length 1', frame: ipFrame(echo(data16), { options: [7, 1, 0, 0] }), expect: { 'Ip.InHdrErrors': 1 }, why: '__ip_options_compile: optlen < 2 -> error; ip_rcv_options: INHDRERRORS' },
  { name: 'ip options: option length past the header', frame: ipFrame(echo(data16), { options: [7, 9, 4, 0] }), expect: { 'Ip.InHdrErrors': 1 }, why: '__ip_options_compile: optlen > l -> error' },
  { name: 'ip options: record route pointer 2', frame: ipFrame(echo(data16), { options: [7, 7, 2, 0, 0, 0, 0, 0] }), expect: { 'Ip.InHdrErrors': 1 }, why: '__ip_options_compile: IPOPT_RR optptr[2] < 4 -> error' },
  { name: 'ip options: timestamp too short', frame: ipFrame(echo(data16), { options: [68, 3, 5, 0] }), expect: { 'Ip.InHdrErrors': 1 }, why: '__ip_options_compile: IPOPT_TIMESTAMP optlen < 4 -> error' },
  { name: 'ip options: router alert too short', frame: ipFrame(echo(data16), { options: [148, 2, 0, 0] }), expect: { 'Ip.InHdrErrors': 1 }, why: '__ip_options_compile: IPOPT_RA optlen < 4 -> error' },
  { name: 'ip options: two record routes', frame: ipFrame(echo(data16), { options: [7, 3, 4, 7, 3, 4, 1, 0] }), expect: { 'Ip.InHdrErrors': 1 }, why: '__ip_options_compile: IPOPT_RR when opt->rr is set -> error' },
  { name: 'ip options: unknown option', frame: ipFrame(echo(data16), { options: [0x99, 4, 0, 0] }), expect: {}, why: '__ip_options_compile: default case accepts unknown options on received packets' },
  { name: 'ip options: loose source route, not accepted', frame: ipFrame(echo(data16), { options: [131, 7, 4, 10, 0, 0, 2, 0] }), expect: {}, why: 'ip_rcv_options: opt->srr and !IN_DEV_SOURCE_ROUTE -> drop, no counter' },
  // ---- UDP (__udp4_lib_rcv), port 9 has no socket
  { name: 'udp datagram to a closed port', frame: ipFrame(udp(data16), { proto: 17 }), expect: { 'Udp.NoPorts': 1 }, why: '__udp4_lib_rcv: no socket -> NOPORTS and ICMP port unreachable' },
  { name: 'udp without checksum', frame: ipFrame(udp(data16, { check: 'zero' }), { proto: 17 }), expect: { 'Udp.NoPorts': 1 }, why: 'udp4_csum_init: check 0 means none' },
  { name: 'udp header shorter than 8 bytes', frame: ipFrame(new Uint8Array([0x9c, 0x40, 0, 9]), { proto: 17 }), expect: { 'Udp.InErrors': 1 }, why: '__udp4_lib_rcv: !pskb_may_pull(skb, sizeof(struct udphdr)) -> drop: INERRORS' },
  { name: 'udp length beyond the datagram', frame: ipFrame(udp(data16, { len: 100 }), { proto: 17 }), expect: { 'Udp.InErrors': 1 }, why: '__udp4_lib_rcv: ulen > skb->len -> short_packet' },
  { name: 'udp length below 8', frame: ipFrame(udp(data16, { len: 4 }), { proto: 17 }), expect: { 'Udp.InErrors': 1 }, why: '__udp4_lib_rcv: ulen < sizeof(*uh) -> short_packet' },
  { name: 'udp length shorter than the datagram', frame: ipFrame(udp(data16, { len: 12 }), { proto: 17 }), expect: { 'Udp.NoPorts': 1 }, why: 'pskb_trim_rcsum to ulen; the checksum covers ulen bytes' },
  { name: 'udp checksum wrong', frame: ipFrame(udp(data16, { check: 'bad' }), { proto: 17 }), expect: { 'Udp.InErrors': 1, 'Udp.InCsumErrors': 1 }, why: '__udp4_lib_rcv: no socket, udp_lib_checksum_complete -> csum_error: CSUMERRORS + INERRORS' },
  // ---- ICMP (icmp_rcv and handlers)
  { name: 'icmp echo', frame: ipFrame(echo(data16)), expect: {}, why: 'icmp_echo answers' },
  { name: 'icmp checksum wrong', frame: ipFrame(echo(data16, true)), expect: { 'Icmp.InErrors': 1, 'Icmp.InCsumErrors': 1 }, why: 'icmp_rcv: skb_checksum_simple_validate -> csum_error: CSUMERRORS + INERRORS' },
  { name: 'icmp shorter than its header', frame: ipFrame(new Uint8Array([8, 0, 0xf7, 0xff])), expect: { 'Icmp.InErrors': 1 }, why: 'icmp_rcv: checksum fine, !pskb_pull(skb, sizeof(*icmph)) -> error' },
  { name: 'icmp shorter than its header, checksum wrong', frame: ipFrame(new Uint8Array([8, 0, 0x12, 0x34])), expect: { 'Icmp.InErrors': 1, 'Icmp.InCsumErrors': 1 }, why: 'icmp_rcv: the checksum is validated before the header pull' },
  { name: 'icmp type 30 (unknown)', frame: ipFrame(icmp(30, 0, [0, 0, 0, 0])), expect: { 'Icmp.InErrors': 1 }, why: 'icmp_rcv: type > NR_ICMP_TYPES -> error' },
  { name: 'icmp extended echo (probe off)', frame: ipFrame(icmp(42, 0, [0, 1, 1, 0], new Uint8Array(8))), expect: {}, why: 'icmp_rcv: ICMP_EXT_ECHO goes to icmp_echo before the type check; icmp_build_probe refuses (icmp_echo_enable_probe=0): consumed' },
  { name: 'icmp extended echo reply', frame: ipFrame(icmp(43, 0, [0, 1, 1, 0], new Uint8Array(8))), expect: {}, why: 'icmp_rcv: ICMP_EXT_ECHOREPLY goes to ping_rcv: no socket, no counter' },
  { name: 'icmp echo reply nobody waits for', frame: ipFrame(icmp(0, 0, [0, 7, 0, 1], data16)), expect: {}, why: 'ping_rcv: no socket, no counter' },
  { name: 'icmp timestamp request', frame: ipFrame(icmp(13, 0, [0, 7, 0, 1], new Uint8Array(12))), expect: {}, why: 'icmp_timestamp answers' },
  { name: 'icmp dest unreach quoting 10 bytes', frame: ipFrame(icmp(3, 3, [0, 0, 0, 0], innerUdp.subarray(0, 10))), expect: { 'Icmp.InErrors': 1 }, why: 'icmp_unreach: !pskb_may_pull(skb, sizeof(struct iphdr)) -> out_err' },
  { name: 'icmp dest unreach quoting ihl 4', frame: ipFrame(icmp(3, 3, [0, 0, 0, 0], cat([0x44], innerUdp.subarray(1)))), expect: { 'Icmp.InErrors': 1 }, why: 'icmp_unreach: iph->ihl < 5 -> out_err' },
  { name: 'icmp dest unreach quoting only the ip header', frame: ipFrame(icmp(3, 3, [0, 0, 0, 0], innerUdp.subarray(0, 24))), expect: { 'Icmp.InErrors': 1 }, why: 'icmp_socket_deliver: !pskb_may_pull(skb, iph->ihl*4 + 8) -> INERRORS' },
  { name: 'icmp dest unreach quoting ip + udp', frame: ipFrame(icmp(3, 3, [0, 0, 0, 0], innerUdp)), expect: { 'Icmp.InErrors': 1 }, why: '__udp4_lib_err: no socket -> ICMP_MIB_INERRORS' },
  { name: 'icmp dest unreach code 16', frame: ipFrame(icmp(3, 16, [0, 0, 0, 0], innerUdp.subarray(0, 24))), expect: {}, why: 'icmp_unreach: code > NR_ICMP_UNREACH -> out, before the socket delivery' },
  { name: 'icmp dest unreach about a raw packet', frame: ipFrame(icmp(3, 2, [0, 0, 0, 0], cat(ipv4(new Uint8Array(8), { src: IP_B, dst: IP_A, proto: 255 })))), expect: { 'Icmp.InErrors': 1 }, why: 'icmp_socket_deliver: protocol == IPPROTO_RAW -> INERRORS' },
  { name: 'icmp time exceeded in reassembly', frame: ipFrame(icmp(11, 1, [0, 0, 0, 0], innerUdp.subarray(0, 24))), expect: {}, why: 'icmp_unreach: ICMP_EXC_FRAGTIME -> out' },
  { name: 'icmp parameter problem quoting ip + udp', frame: ipFrame(icmp(12, 0, [20, 0, 0, 0], innerUdp)), expect: { 'Icmp.InErrors': 1 }, why: 'icmp_unreach -> __udp4_lib_err: no socket -> ICMP_MIB_INERRORS' },
  { name: 'icmp redirect quoting 10 bytes', frame: ipFrame(icmp(5, 1, [10, 0, 0, 3], innerUdp.subarray(0, 10))), expect: { 'Icmp.InErrors': 1 }, why: 'icmp_redirect: skb->len < sizeof(struct iphdr) -> INERRORS' },
  // ---- TCP (tcp_v4_rcv), port 9 closed
  { name: 'tcp syn to a closed port', frame: ipFrame(tcp(new Uint8Array(0)), { proto: 6 }), expect: {}, why: 'tcp_v4_rcv: no socket -> tcp_v4_send_reset (OUTRSTS)', tcp: true },
  { name: 'tcp header shorter than 20 bytes', frame: ipFrame(new Uint8Array(12), { proto: 6 }), expect: {}, why: 'tcp_v4_rcv: !pskb_may_pull(skb, sizeof(struct tcphdr)) -> discard_it, which counts nothing', tcp: true },
  { name: 'tcp data offset 4', frame: ipFrame(tcp(new Uint8Array(0), { doff: 4 }), { proto: 6 }), expect: { 'Tcp.InErrs': 1 }, why: 'tcp_v4_rcv: th->doff < sizeof(struct tcphdr) / 4 -> bad_packet', tcp: true },
  { name: 'tcp checksum wrong', frame: ipFrame(tcp(new Uint8Array(0), { badCsum: true }), { proto: 6 }), expect: { 'Tcp.InErrs': 1, 'Tcp.InCsumErrors': 1 }, why: 'tcp_v4_rcv: skb_checksum_init fails -> csum_error: CSUMERRORS + INERRS', tcp: true },
  // ---- ARP and Ethernet garbage: dropped, no SNMP counter
  { name: 'arp request cut to 20 bytes', frame: eth(ETH_P_ARP, arp(1, { len: 20 })), expect: {}, why: 'arp_rcv: !pskb_may_pull(skb, arp_hdr_len(dev)) -> drop' },
  { name: 'arp with hln 8', frame: eth(ETH_P_ARP, arp(1, { hln: 8 })), expect: {}, why: 'arp_rcv: arp->ar_hln != dev->addr_len -> drop' },
  { name: 'arp with pln 16', frame: eth(ETH_P_ARP, arp(1, { pln: 16 })), expect: {}, why: 'arp_rcv: arp->ar_pln != 4 -> drop' },
  { name: 'arp opcode 9', frame: eth(ETH_P_ARP, arp(9)), expect: {}, why: 'arp_process: not REQUEST or REPLY -> drop' },
  { name: 'arp from a multicast sender ip', frame: eth(ETH_P_ARP, arp(1, { sip: [224, 0, 0, 1] })), expect: {}, why: 'arp_process: ipv4_is_multicast(sip) -> drop' },
  { name: 'unknown ethertype', frame: eth(0x88b5, new Uint8Array(46)), expect: {}, why: '__netif_receive_skb_core: no handler -> rx_nohandler' },
  { name: 'ethernet frame of 10 bytes', frame: cat(MAC_B, [2, 0, 0, 0]), expect: {}, why: 'eth_type_trans needs 14 bytes; the NIC drops runts', noKernel: true },
  // ---- fragments (last: their reassembly timer fires 30 s later)
  { name: 'first fragment alone', frame: ipFrame(echo(data16), { frag: 0x2000 }), expect: {}, why: 'ip_local_deliver: ip_defrag queues it (REASMREQDS)' },
  { name: 'middle fragment alone', frame: ipFrame(new Uint8Array(16), { frag: 0x2000 | 3 }), expect: {}, why: 'ip_defrag queues it' },
];
