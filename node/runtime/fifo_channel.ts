// The protocol of core/runtime/protocol.ts over a pair of blocking pipes,
// one frame per message (pipe_frames.ts). Node's own IPC channel is
// non-blocking and answers through the event loop, one turn per reply: with
// 32 host processes on this 2-CPU machine it tops out near 260 round trips
// per second even with trivial children. A blocking read needs no event
// loop, so the coordinator writes a window to every process, then reads
// every reply, and the processes run the window in parallel meanwhile.
//
// The pipes are FIFOs made in a private temporary directory and unlinked as
// soon as both ends are open, before the child starts: nothing stays on
// disk. The parent opens every end itself, so no open() ever waits for the
// other side, and hands the child its two ends as inherited descriptors.
import { execFileSync } from 'node:child_process';
import { accessSync, closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FromHost, SyncChannel, ToHost } from '../../core/runtime/protocol.js';
import { FrameReader, FrameWriter } from './pipe_frames.js';

/** The environment variable telling a host process its pipe descriptors: "REQ,REP". */
export const PIPES_ENV = 'STACKLAB_HOST_PIPES';

const { O_RDONLY, O_WRONLY, O_NONBLOCK } = constants;

/** The parent's end of a host process's pipes. */
export class FifoChannel implements SyncChannel {
  private readonly reader = new FrameReader();
  private readonly writer: FrameWriter;
  /** Closed here (kill, exit): reads return null, writes are dropped. */
  closed = false;
  /** The process is gone (end of file, or a write found no reader). */
  dead = false;

  constructor(
    /** Requests (blocking writes). */
    private readonly wfd: number,
    /** Replies, blocking. */
    private readonly rfd: number,
    /** Replies again, non-blocking (poll()). */
    private readonly pollFd: number,
  ) {
    this.writer = new FrameWriter(wfd);
  }

  post(msg: ToHost): void {
    if (this.dead || this.closed) return;
    if (!this.writer.write(msg)) this.dead = true;
  }

  receive(): FromHost | null {
    if (this.closed) return null;
    const m = this.reader.next<FromHost>(this.rfd);
    if (!m) this.dead = true;
    return m ?? null;
  }

  /** Replies that have arrived, without waiting (for pings while the event
   * loop runs); null once the process is gone. */
  poll(): FromHost[] | null {
    if (this.closed) return null;
    const out: FromHost[] = [];
    for (;;) {
      const m = this.reader.next<FromHost>(this.pollFd);
      if (m === undefined) return out;
      if (m === null) {
        this.dead = true;
        return out.length ? out : null;
      }
      out.push(m);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.dead = true;
    for (const fd of [this.wfd, this.rfd, this.pollFd]) {
      try {
        closeSync(fd);
      } catch {}
    }
  }
}

export interface PipePair {
  /** The parent's end. */
  channel: FifoChannel;
  /** The child's ends, to pass as inherited descriptors and close here after the fork. */
  childReq: number;
  childRep: number;
  /** Close the child's ends here (after the fork, or when it failed). */
  release(): void;
}

let mkfifoWorks: boolean | null = null;

/** Where FIFOs go: tmpfs where there is one. Every read and write of a
 * named pipe updates its inode's times, which on a disk filesystem (ext4
 * /tmp) means a journalled inode update per message. */
function fifoBase(): string {
  if (process.platform === 'linux')
    try {
      accessSync('/dev/shm', constants.W_OK);
      return '/dev/shm';
    } catch {}
  return tmpdir();
}

/** Two FIFOs, every end open, the names already gone; null where FIFOs
 * cannot be made (Windows, no mkfifo): the caller falls back to Node IPC. */
export function makePipes(): PipePair | null {
  if (mkfifoWorks === false || (process.platform !== 'linux' && process.platform !== 'darwin')) return null;
  let dir: string | null = null;
  const opened: number[] = [];
  const open = (p: string, flags: number) => {
    const fd = openSync(p, flags);
    opened.push(fd);
    return fd;
  };
  try {
    dir = mkdtempSync(join(fifoBase(), 'stacklab-pipes-')); // mode 0700: private
    const req = join(dir, 'req');
    const rep = join(dir, 'rep');
    execFileSync('mkfifo', ['-m', '600', req, rep], { stdio: 'ignore' });
    mkfifoWorks = true;
    // Each open below finds its other side already open, so none waits:
    // a non-blocking reader first, then the writers, then blocking readers.
    const keepReq = open(req, O_RDONLY | O_NONBLOCK);
    const wfd = open(req, O_WRONLY);
    const childReq = open(req, O_RDONLY);
    opened.splice(opened.indexOf(keepReq), 1);
    closeSync(keepReq);
    const pollFd = open(rep, O_RDONLY | O_NONBLOCK);
    const childRep = open(rep, O_WRONLY);
    const rfd = open(rep, O_RDONLY);
    const channel = new FifoChannel(wfd, rfd, pollFd);
    let released = false;
    return {
      channel,
      childReq,
      childRep,
      release: () => {
        if (released) return;
        released = true;
        closeSync(childReq);
        closeSync(childRep);
      },
    };
  } catch {
    if (mkfifoWorks === null) mkfifoWorks = false;
    for (const fd of opened) {
      try {
        closeSync(fd);
      } catch {}
    }
    return null;
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

/** The child's end: its two descriptors from PIPES_ENV, or null. */
export function childPipes(env: string | undefined): { req: number; rep: number } | null {
  const m = env && /^(\d+),(\d+)$/.exec(env);
  return m ? { req: Number(m[1]), rep: Number(m[2]) } : null;
}
