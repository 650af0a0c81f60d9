// pcapng (draft-ietf-opsawg-pcapng): a Section Header Block, one Interface
// Description Block per capture point, then Enhanced Packet Blocks that name
// their interface. Options carry what classic pcap cannot: the interface's
// name and description, nanosecond timestamps (if_tsresol 9), the direction
// of each frame (epb_flags) and a free-text comment (opt_comment) where we
// put the packet's path through the modelled kernel. Written little-endian.
import { ByteWriter, PcapFormatError } from './pcap.js';

const BT_SHB = 0x0a0d0d0a;
const BT_IDB = 0x00000001;
const BT_EPB = 0x00000006;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

const OPT_ENDOFOPT = 0;
const OPT_COMMENT = 1;
const OPT_SHB_USERAPPL = 4;
const OPT_IF_NAME = 2;
const OPT_IF_DESCRIPTION = 3;
const OPT_IF_TSRESOL = 9;
const OPT_EPB_FLAGS = 2;

/** epb_flags bits 0-1: the frame's direction. */
export const EPB_INBOUND = 1;
export const EPB_OUTBOUND = 2;

export interface NgInterface {
  linktype: number;
  name: string;
  description?: string;
  snaplen?: number;
}

export interface NgPacket {
  /** Index into the interface list. */
  iface: number;
  tsNs: number;
  data: Uint8Array;
  origLen: number;
  /** EPB_INBOUND / EPB_OUTBOUND, or 0 when not known. */
  direction?: number;
  comment?: string;
}

/** UTF-8 bytes of a string (core has no TextEncoder in its lib). */
function utf8(s: string): Uint8Array {
  const out: number[] = [];
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return new Uint8Array(out);
}

function option(w: ByteWriter, code: number, value: Uint8Array): void {
  w.u16(code);
  w.u16(value.length);
  w.bytes(value);
  w.pad4();
}

/** Start a block, return a function that closes it (writes both lengths). */
function block(w: ByteWriter, type: number): () => void {
  const start = w.length;
  w.u32(type);
  w.u32(0);
  return () => {
    w.pad4();
    const len = w.length - start + 4;
    w.u32(len);
    w.setU32(start + 4, len);
  };
}

export function writePcapng(ifaces: NgInterface[], packets: NgPacket[], application = 'StackLab'): Uint8Array {
  const w = new ByteWriter();
  let end = block(w, BT_SHB);
  w.u32(BYTE_ORDER_MAGIC);
  w.u16(1);
  w.u16(0);
  w.u32(0xffffffff); // section length unknown
  w.u32(0xffffffff);
  option(w, OPT_SHB_USERAPPL, utf8(application));
  option(w, OPT_ENDOFOPT, new Uint8Array(0));
  end();
  for (const i of ifaces) {
    end = block(w, BT_IDB);
    w.u16(i.linktype);
    w.u16(0);
    w.u32(i.snaplen ?? 0);
    option(w, OPT_IF_NAME, utf8(i.name));
    if (i.description) option(w, OPT_IF_DESCRIPTION, utf8(i.description));
    option(w, OPT_IF_TSRESOL, new Uint8Array([9]));
    option(w, OPT_ENDOFOPT, new Uint8Array(0));
    end();
  }
  for (const p of packets) {
    end = block(w, BT_EPB);
    const ts = BigInt(Math.round(p.tsNs));
    w.u32(p.iface);
    w.u32(Number(ts >> 32n));
    w.u32(Number(ts & 0xffffffffn));
    w.u32(p.data.length);
    w.u32(p.origLen);
    w.bytes(p.data);
    w.pad4();
    const hasOpts = !!p.comment || !!p.direction;
    if (p.comment) option(w, OPT_COMMENT, utf8(p.comment));
    if (p.direction) {
      const f = new Uint8Array(4);
      f[0] = p.direction & 3;
      option(w, OPT_EPB_FLAGS, f);
    }
    if (hasOpts) option(w, OPT_ENDOFOPT, new Uint8Array(0));
    end();
  }
  return w.result();
}

export function isPcapng(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0x0a && b[1] === 0x0d && b[2] === 0x0d && b[3] === 0x0a;
}

/** Read a little-endian pcapng file (what writePcapng makes; tcpdump -r accepts both formats). */
export function readPcapng(b: Uint8Array): { ifaces: NgInterface[]; packets: NgPacket[] } {
  const u16 = (o: number) => b[o] | (b[o + 1] << 8);
  const u32 = (o: number) => (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
  if (!isPcapng(b) || u32(8) !== BYTE_ORDER_MAGIC) throw new PcapFormatError('unknown file format');
  const ifaces: (NgInterface & { tsres: number })[] = [];
  const packets: NgPacket[] = [];
  let o = 0;
  while (o + 12 <= b.length) {
    const type = u32(o);
    const len = u32(o + 4);
    if (len < 12 || o + len > b.length) break;
    if (type === BT_IDB) {
      const i = { linktype: u16(o + 8), name: '', snaplen: u32(o + 12), tsres: 1e3 };
      for (let p = o + 16; p + 4 <= o + len - 4; ) {
        const code = u16(p);
        const olen = u16(p + 2);
        if (code === OPT_ENDOFOPT) break;
        const v = b.subarray(p + 4, p + 4 + olen);
        if (code === OPT_IF_NAME) i.name = String.fromCharCode(...v);
        if (code === OPT_IF_TSRESOL) i.tsres = v[0] & 0x80 ? 1e9 / 2 ** (v[0] & 0x7f) : 10 ** (9 - v[0]);
        p += 4 + ((olen + 3) & ~3);
      }
      ifaces.push(i);
    } else if (type === BT_EPB) {
      const iface = u32(o + 8);
      const ts = u32(o + 12) * 2 ** 32 + u32(o + 16);
      const cap = u32(o + 20);
      const orig = u32(o + 24);
      packets.push({ iface, tsNs: ts * (ifaces[iface]?.tsres ?? 1e3), data: b.slice(o + 28, o + 28 + cap), origLen: orig });
    }
    o += len;
  }
  return { ifaces, packets };
}
