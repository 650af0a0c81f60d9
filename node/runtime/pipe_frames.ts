// Messages on a host process's pipes (fifo_channel.ts), one frame each:
//
//   u32 length of the rest, u8 kind, u8 flags, u16 0, body      (little endian)
//   kind 0: node:v8 serialize() of any message
//   kind 1: a window request {t:'window', id, end, frames}: f64 id, f64 end, frame bytes
//   kind 2: a reply of only {t:'reply', id, next, out}: f64 id, f64 next, out bytes
//   flags bit 0: the bytes are there (frames/out present, not null)
//
// Kinds 1 and 2 are nearly every message of a run. v8's serializer costs
// ~10 us a message here (a native object each time, and the GC behind it);
// these cost a copy of the packed frames.
import { readSync, writeSync } from 'node:fs';
import { deserialize, serialize } from 'node:v8';

const HEADER = 8;
/** Buffers start this big, and go back to it after a larger message. */
const BUF = 1 << 16;
const GENERIC = 0;
const WINDOW = 1;
const REPLY = 2;

type Msg = { t: string; id: number } & Record<string, unknown>;

/** The message has only these keys (undefined values do not count). */
function only(m: Msg, a: string, b: string, c: string, d: string): boolean {
  for (const k in m) if (k !== a && k !== b && k !== c && k !== d && m[k] !== undefined) return false;
  return true;
}

/** Writes frames to a blocking descriptor from one reused buffer. */
export class FrameWriter {
  private buf = Buffer.allocUnsafe(BUF);

  constructor(private readonly fd: number) {}

  /** Write one message whole; false when the reader is gone (EPIPE) or the descriptor is bad. */
  write(msg: object): boolean {
    const m = msg as Msg;
    let n: number;
    if (m.t === 'window' && only(m, 't', 'id', 'end', 'frames')) n = this.fixed(WINDOW, m.id, m.end as number, m.frames as ArrayBuffer | null);
    else if (m.t === 'reply' && only(m, 't', 'id', 'next', 'out')) n = this.fixed(REPLY, m.id, m.next as number, (m.out as ArrayBuffer | undefined) ?? null);
    else {
      const body = serialize(msg);
      n = HEADER + body.length;
      this.room(n);
      this.head(n, GENERIC, 0);
      body.copy(this.buf, HEADER);
    }
    const ok = writeAll(this.fd, this.buf, n);
    if (this.buf.length > 16 * BUF) this.buf = Buffer.allocUnsafe(BUF); // a snapshot or capture was large
    return ok;
  }

  private fixed(kind: number, id: number, x: number, bytes: ArrayBuffer | null): number {
    const len = bytes ? bytes.byteLength : 0;
    const n = HEADER + 16 + len;
    this.room(n);
    this.head(n, kind, bytes ? 1 : 0);
    this.buf.writeDoubleLE(id, HEADER);
    this.buf.writeDoubleLE(x, HEADER + 8);
    if (len) this.buf.set(new Uint8Array(bytes!), HEADER + 16);
    return n;
  }

  private head(n: number, kind: number, flags: number): void {
    this.buf.writeUInt32LE(n - 4, 0);
    this.buf[4] = kind;
    this.buf[5] = flags;
    this.buf.writeUInt16LE(0, 6);
  }

  private room(n: number): void {
    if (n > this.buf.length) this.buf = Buffer.allocUnsafe(Math.max(n, this.buf.length * 2));
  }
}

function writeAll(fd: number, buf: Buffer, n: number): boolean {
  let o = 0;
  while (o < n) {
    try {
      o += writeSync(fd, buf, o, n - o);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN' || code === 'EINTR') continue;
      return false;
    }
  }
  return true;
}

/** Frames read from one pipe, through a blocking descriptor (wait for the
 * next) or a non-blocking one on the same pipe (take what has arrived):
 * both fill the same buffer, so a frame may start in one read and end in
 * the other. */
export class FrameReader {
  private buf = Buffer.allocUnsafe(BUF);
  private start = 0;
  private end = 0;
  /** End of file seen (the writer is gone). */
  eof = false;

  /** The next message: waits on `fd` if it is blocking; undefined when `fd`
   * is non-blocking and no whole frame has arrived; null at end of file. */
  next<T>(fd: number): T | null | undefined {
    for (;;) {
      const have = this.end - this.start;
      if (have >= 4) {
        const size = 4 + this.buf.readUInt32LE(this.start);
        if (have >= size) {
          const m = this.decode(this.start, size);
          this.start += size;
          if (this.start === this.end) {
            this.start = this.end = 0;
            if (this.buf.length > 16 * BUF) this.buf = Buffer.allocUnsafe(BUF);
          }
          return m as T;
        }
        this.room(size);
      } else this.room(4);
      if (this.eof) return null;
      let n: number;
      try {
        n = readSync(fd, this.buf, this.end, this.buf.length - this.end, null);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') return undefined;
        if (code === 'EINTR') continue;
        n = 0; // EBADF, EIO: as good as gone
      }
      if (n === 0) {
        this.eof = true;
        return null;
      }
      this.end += n;
    }
  }

  private decode(at: number, size: number): unknown {
    const b = this.buf;
    const kind = b[at + 4];
    const body = at + HEADER;
    const bytes = b[at + 5] & 1 ? b.buffer.slice(b.byteOffset + body + 16, b.byteOffset + at + size) : null;
    switch (kind) {
      case WINDOW:
        return { t: 'window', id: b.readDoubleLE(body), end: b.readDoubleLE(body + 8), frames: bytes };
      case REPLY: {
        const m: Msg = { t: 'reply', id: b.readDoubleLE(body), next: b.readDoubleLE(body + 8) };
        if (bytes) m.out = bytes;
        return m;
      }
      default:
        // A copy: deserialized typed arrays may be views of their input.
        return deserialize(Buffer.from(b.subarray(body, at + size)));
    }
  }

  /** Room for a frame of `size` bytes from `start`, and space to read into. */
  private room(size: number): void {
    if (this.start + size <= this.buf.length && this.end < this.buf.length) return;
    const have = this.end - this.start;
    const next = size > this.buf.length ? Buffer.allocUnsafe(Math.max(size, this.buf.length * 2)) : this.buf;
    this.buf.copy(next, 0, this.start, this.end);
    this.buf = next;
    this.start = 0;
    this.end = have;
  }
}
