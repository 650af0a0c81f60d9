// Wireshark-style views of a captured frame: the one-line summary of the
// packet list (source, destination, protocol, and tcpdump's own text from
// core's Netdissect as the info) and the header tree of the detail pane,
// each field with its byte range so the hex view can highlight it.
import type { CapturedFrame } from '../../core/pcap/capture.js';
import { Netdissect } from '../../core/pcap/netdissect.js';
import type { HeaderNode, PacketRow } from '../../renderer/src/bridge/protocol.js';

const ETHERTYPE: Record<number, string> = { 0x0800: 'IPv4', 0x0806: 'ARP', 0x86dd: 'IPv6', 0x8100: '802.1Q' };
const IPPROTO: Record<number, string> = { 1: 'ICMP', 6: 'TCP', 17: 'UDP' };
const ICMP_TYPE: Record<number, string> = {
  0: 'Echo (ping) reply',
  3: 'Destination unreachable',
  4: 'Source quench',
  5: 'Redirect',
  8: 'Echo (ping) request',
  11: 'Time-to-live exceeded',
  12: 'Parameter problem',
};

const u16 = (b: Uint8Array, o: number) => (b[o] << 8) | b[o + 1];
const u32 = (b: Uint8Array, o: number) => ((b[o] << 24) >>> 0) + (b[o + 1] << 16) + (b[o + 2] << 8) + b[o + 3];
const ip4 = (b: Uint8Array, o: number) => `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
const mac = (b: Uint8Array, o: number) => Array.from(b.subarray(o, o + 6), (x) => x.toString(16).padStart(2, '0')).join(':');
const hex = (n: number, w: number) => `0x${n.toString(16).padStart(w, '0')}`;

function field(label: string, start: number, len: number): HeaderNode {
  return { label, start, len };
}

/** Offset of the network header in the frame bytes, and its ethertype. */
function l3(f: CapturedFrame): { off: number; type: number } {
  if (!f.l2) return { off: 0, type: f.data.length && f.data[0] >> 4 === 4 ? 0x0800 : 0 };
  return f.data.length >= 14 ? { off: 14, type: u16(f.data, 12) } : { off: f.data.length, type: 0 };
}

/** The packet list's columns for one frame. */
export function summarize(f: CapturedFrame, no: number, nd = new Netdissect({ nflag: true })): PacketRow {
  const b = f.data;
  const { off, type } = l3(f);
  let src = f.l2 && b.length >= 12 ? mac(b, 6) : '';
  let dst = f.l2 && b.length >= 6 ? mac(b, 0) : '';
  let proto = ETHERTYPE[type] ?? (type ? hex(type, 4) : 'Ethernet');
  if (type === 0x0800 && b.length >= off + 20) {
    src = ip4(b, off + 12);
    dst = ip4(b, off + 16);
    proto = IPPROTO[b[off + 9]] ?? `IPv4/${b[off + 9]}`;
  } else if (type === 0x0806 && b.length >= off + 28) {
    src = mac(b, off + 8);
    dst = u16(b, off + 6) === 1 ? 'Broadcast' : mac(b, off + 18);
  }
  let info = f.l2 ? nd.ether(b, f.len) : nd.raw(b, f.len);
  // the addresses have their own columns
  if (proto === 'ICMP') info = info.replace(/^IP \S+ > \S+: (ICMP )?/, '');
  else info = info.replace(/^(IP|ARP), /, '').replace(/^IP /, '');
  return { no, t: f.t, host: f.host, dev: f.dev, dir: f.direction, skb: f.skb, fn: f.fn, src, dst, proto, len: f.len, info };
}

/** The header tree of the detail pane. */
export function dissect(f: CapturedFrame): HeaderNode[] {
  const b = f.data;
  const out: HeaderNode[] = [];
  out.push({
    label: `Frame: ${f.len} bytes on wire, ${b.length} captured, ${f.host} ${f.dev || '-'} (${f.direction === 'in' ? 'in' : f.direction === 'out' ? 'out' : '?'}) at ${f.fn}`,
    start: 0,
    len: b.length,
  });
  let { off, type } = l3(f);
  if (f.l2 && b.length >= 14) {
    out.push({
      label: `Ethernet II, Src: ${mac(b, 6)}, Dst: ${mac(b, 0)}`,
      start: 0,
      len: 14,
      children: [
        field(`Destination: ${mac(b, 0)}`, 0, 6),
        field(`Source: ${mac(b, 6)}`, 6, 6),
        field(`Type: ${ETHERTYPE[type] ?? 'Unknown'} (${hex(type, 4)})`, 12, 2),
      ],
    });
  }
  if (type === 0x0806) out.push(arp(b, off));
  else if (type === 0x0800) ipv4(b, off, out);
  if (f.len > b.length) out.push({ label: `[${f.len - b.length} bytes not captured]`, start: b.length, len: 0 });
  return out;
}

function arp(b: Uint8Array, o: number): HeaderNode {
  if (b.length < o + 28) return { label: 'Address Resolution Protocol [truncated]', start: o, len: b.length - o };
  const op = u16(b, o + 6);
  return {
    label: `Address Resolution Protocol (${op === 1 ? 'request' : op === 2 ? 'reply' : op})`,
    start: o,
    len: 28,
    children: [
      field(`Hardware type: ${u16(b, o) === 1 ? 'Ethernet' : u16(b, o)} (${u16(b, o)})`, o, 2),
      field(`Protocol type: IPv4 (${hex(u16(b, o + 2), 4)})`, o + 2, 2),
      field(`Hardware size: ${b[o + 4]}`, o + 4, 1),
      field(`Protocol size: ${b[o + 5]}`, o + 5, 1),
      field(`Opcode: ${op === 1 ? 'request' : op === 2 ? 'reply' : 'unknown'} (${op})`, o + 6, 2),
      field(`Sender MAC address: ${mac(b, o + 8)}`, o + 8, 6),
      field(`Sender IP address: ${ip4(b, o + 14)}`, o + 14, 4),
      field(`Target MAC address: ${mac(b, o + 18)}`, o + 18, 6),
      field(`Target IP address: ${ip4(b, o + 24)}`, o + 24, 4),
    ],
  };
}

function ipv4(b: Uint8Array, o: number, out: HeaderNode[], inner = false): void {
  if (b.length < o + 20) {
    out.push({ label: 'Internet Protocol Version 4 [truncated]', start: o, len: Math.max(0, b.length - o) });
    return;
  }
  const ihl = (b[o] & 15) * 4;
  const tot = u16(b, o + 2);
  const fo = u16(b, o + 6);
  const proto = b[o + 9];
  const flags = [fo & 0x4000 ? "Don't fragment" : '', fo & 0x2000 ? 'More fragments' : ''].filter(Boolean).join(', ') || 'none';
  out.push({
    label: `Internet Protocol Version 4, Src: ${ip4(b, o + 12)}, Dst: ${ip4(b, o + 16)}`,
    start: o,
    len: ihl,
    children: [
      field(`Version: ${b[o] >> 4}`, o, 1),
      field(`Header Length: ${ihl} bytes (${b[o] & 15})`, o, 1),
      field(`Differentiated Services Field: ${hex(b[o + 1], 2)}`, o + 1, 1),
      field(`Total Length: ${tot}`, o + 2, 2),
      field(`Identification: ${hex(u16(b, o + 4), 4)} (${u16(b, o + 4)})`, o + 4, 2),
      field(`Flags: ${hex(fo >> 13, 1)} (${flags})`, o + 6, 1),
      field(`Fragment Offset: ${(fo & 0x1fff) * 8}`, o + 6, 2),
      field(`Time to Live: ${b[o + 8]}`, o + 8, 1),
      field(`Protocol: ${IPPROTO[proto] ?? 'Unknown'} (${proto})`, o + 9, 1),
      field(`Header Checksum: ${hex(u16(b, o + 10), 4)}`, o + 10, 2),
      field(`Source Address: ${ip4(b, o + 12)}`, o + 12, 4),
      field(`Destination Address: ${ip4(b, o + 16)}`, o + 16, 4),
    ],
  });
  const p = o + ihl;
  if (fo & 0x1fff) return; // a later fragment: no transport header
  if (proto === 1) icmp(b, p, o + tot, out, inner);
  else if (proto === 17 && b.length >= p + 8) {
    out.push({
      label: `User Datagram Protocol, Src Port: ${u16(b, p)}, Dst Port: ${u16(b, p + 2)}`,
      start: p,
      len: 8,
      children: [
        field(`Source Port: ${u16(b, p)}`, p, 2),
        field(`Destination Port: ${u16(b, p + 2)}`, p + 2, 2),
        field(`Length: ${u16(b, p + 4)}`, p + 4, 2),
        field(`Checksum: ${hex(u16(b, p + 6), 4)}`, p + 6, 2),
      ],
    });
    data(b, p + 8, Math.min(b.length, o + tot), out);
  } else if (proto === 6 && b.length >= p + 20) {
    const doff = (b[p + 12] >> 4) * 4;
    const fl = b[p + 13];
    const names = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR'].filter((_, i) => fl & (1 << i));
    out.push({
      label: `Transmission Control Protocol, Src Port: ${u16(b, p)}, Dst Port: ${u16(b, p + 2)}, Seq: ${u32(b, p + 4)}, Len: ${Math.max(0, tot - ihl - doff)}`,
      start: p,
      len: doff,
      children: [
        field(`Source Port: ${u16(b, p)}`, p, 2),
        field(`Destination Port: ${u16(b, p + 2)}`, p + 2, 2),
        field(`Sequence Number (raw): ${u32(b, p + 4)}`, p + 4, 4),
        field(`Acknowledgment Number (raw): ${u32(b, p + 8)}`, p + 8, 4),
        field(`Header Length: ${doff} bytes (${doff / 4})`, p + 12, 1),
        field(`Flags: ${hex(fl, 3)} (${names.join(', ') || 'none'})`, p + 13, 1),
        field(`Window: ${u16(b, p + 14)}`, p + 14, 2),
        field(`Checksum: ${hex(u16(b, p + 16), 4)}`, p + 16, 2),
        field(`Urgent Pointer: ${u16(b, p + 18)}`, p + 18, 2),
        ...(doff > 20 ? [field(`Options: (${doff - 20} bytes)`, p + 20, doff - 20)] : []),
      ],
    });
    data(b, p + doff, Math.min(b.length, o + tot), out);
  }
}

function icmp(b: Uint8Array, p: number, end: number, out: HeaderNode[], inner: boolean): void {
  if (b.length < p + 8) {
    out.push({ label: 'Internet Control Message Protocol [truncated]', start: p, len: Math.max(0, b.length - p) });
    return;
  }
  const type = b[p];
  const code = b[p + 1];
  const children = [
    field(`Type: ${type} (${ICMP_TYPE[type] ?? 'Unknown'})`, p, 1),
    field(`Code: ${code}`, p + 1, 1),
    field(`Checksum: ${hex(u16(b, p + 2), 4)}`, p + 2, 2),
  ];
  const echo = type === 0 || type === 8;
  if (echo) {
    children.push(field(`Identifier (BE): ${u16(b, p + 4)} (${hex(u16(b, p + 4), 4)})`, p + 4, 2));
    children.push(field(`Sequence Number (BE): ${u16(b, p + 6)} (${hex(u16(b, p + 6), 4)})`, p + 6, 2));
  } else if (type === 5) children.push(field(`Gateway Address: ${ip4(b, p + 4)}`, p + 4, 4));
  else if (type === 3 && code === 4) children.push(field(`MTU of next hop: ${u16(b, p + 6)}`, p + 6, 2));
  else children.push(field(`Unused: ${hex(u32(b, p + 4), 8)}`, p + 4, 4));
  out.push({ label: `Internet Control Message Protocol${inner ? ' (inner)' : ''}`, start: p, len: 8, children });
  const stop = Math.min(b.length, end);
  if (!echo && !inner && (type === 3 || type === 11 || type === 12) && stop >= p + 28) {
    const innerOut: HeaderNode[] = [];
    ipv4(b, p + 8, innerOut, true);
    out.push({ label: 'Original datagram', start: p + 8, len: stop - p - 8, children: innerOut });
  } else data(b, p + 8, stop, out);
}

function data(b: Uint8Array, from: number, to: number, out: HeaderNode[]): void {
  if (to > from) out.push({ label: `Data (${to - from} bytes)`, start: from, len: to - from });
}
