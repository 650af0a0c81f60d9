// The classic libpcap file format (pcap-savefile(5)): a 24-byte global
// header, then per packet a 16-byte record header and the captured bytes.
// Written little-endian with microsecond timestamps (magic a1b2c3d4), as
// tcpdump -w writes; read in either byte order and in either resolution.

export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LINUX_SLL2 = 276;
export const PCAP_SNAPLEN = 262_144;

const MAGIC_USEC = 0xa1b2c3d4;
const MAGIC_NSEC = 0xa1b23c4d;

/** One captured packet: virtual time (ns), bytes kept, length on the wire. */
export interface PcapRecord {
  tsNs: number;
  data: Uint8Array;
  origLen: number;
}

export interface PcapFile {
  linktype: number;
  snaplen: number;
  records: PcapRecord[];
}

/** A growing little-endian byte buffer (core has no Buffer). */
export class ByteWriter {
  private buf = new Uint8Array(4096);
  length = 0;
  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const b = new Uint8Array(size);
    b.set(this.buf.subarray(0, this.length));
    this.buf = b;
  }
  u8(v: number): void {
    this.room(1);
    this.buf[this.length++] = v & 0xff;
  }
  u16(v: number): void {
    this.room(2);
    this.buf[this.length++] = v & 0xff;
    this.buf[this.length++] = (v >>> 8) & 0xff;
  }
  u32(v: number): void {
    this.room(4);
    for (let i = 0; i < 4; i++) this.buf[this.length++] = (v >>> (8 * i)) & 0xff;
  }
  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  pad4(): void {
    while (this.length % 4) this.u8(0);
  }
  /** Overwrite a u32 written earlier (block lengths). */
  setU32(at: number, v: number): void {
    for (let i = 0; i < 4; i++) this.buf[at + i] = (v >>> (8 * i)) & 0xff;
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** The 24-byte global header. */
export function pcapHeader(linktype: number, snaplen = PCAP_SNAPLEN): Uint8Array {
  const w = new ByteWriter();
  w.u32(MAGIC_USEC);
  w.u16(2);
  w.u16(4);
  w.u32(0); // thiszone
  w.u32(0); // sigfigs
  w.u32(snaplen);
  w.u32(linktype);
  return w.result();
}

/** One record: header and data (cut to snaplen). */
export function pcapRecord(r: PcapRecord, snaplen = PCAP_SNAPLEN): Uint8Array {
  const w = new ByteWriter();
  const us = Math.floor(r.tsNs / 1000);
  const incl = Math.min(r.data.length, snaplen);
  w.u32(Math.floor(us / 1e6));
  w.u32(us % 1e6);
  w.u32(incl);
  w.u32(r.origLen);
  w.bytes(r.data.subarray(0, incl));
  return w.result();
}

/** A whole file. */
export function writePcap(f: PcapFile): Uint8Array {
  const w = new ByteWriter();
  w.bytes(pcapHeader(f.linktype, f.snaplen));
  for (const r of f.records) w.bytes(pcapRecord(r, f.snaplen));
  return w.result();
}

export class PcapFormatError extends Error {}

/** Parse a pcap file (either byte order, µs or ns); pcapng is handed to readPcapng. */
export function readPcap(b: Uint8Array): PcapFile {
  if (b.length < 24) throw new PcapFormatError('truncated dump file; tried to read 4 file header bytes, only got ' + Math.min(b.length, 4));
  const le = (o: number) => (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
  const be = (o: number) => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
  let u32 = le;
  const m = le(0);
  let nsec = false;
  if (m === MAGIC_USEC || m === MAGIC_NSEC) nsec = m === MAGIC_NSEC;
  else if (be(0) === MAGIC_USEC || be(0) === MAGIC_NSEC) {
    u32 = be;
    nsec = be(0) === MAGIC_NSEC;
  } else throw new PcapFormatError('unknown file format');
  const snaplen = u32(16);
  const linktype = u32(20) & 0x03ffffff;
  const records: PcapRecord[] = [];
  let o = 24;
  while (o + 16 <= b.length) {
    const sec = u32(o);
    const frac = u32(o + 4);
    const incl = u32(o + 8);
    const orig = u32(o + 12);
    o += 16;
    if (o + incl > b.length) break; // truncated last record
    records.push({ tsNs: sec * 1e9 + frac * (nsec ? 1 : 1000), data: b.slice(o, o + incl), origLen: orig });
    o += incl;
  }
  return { linktype, snaplen, records };
}

/** libpcap's names for the link types we write (pcap_datalink_val_to_name / _description). */
export function linktypeName(lt: number): [string, string] {
  switch (lt) {
    case LINKTYPE_ETHERNET:
      return ['EN10MB', 'Ethernet'];
    case LINKTYPE_RAW:
      return ['RAW', 'Raw IP'];
    case LINKTYPE_LINUX_SLL2:
      return ['LINUX_SLL2', 'Linux cooked v2'];
    default:
      return [`DLT_${lt}`, `DLT ${lt}`];
  }
}
