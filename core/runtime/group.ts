// A host group: the hosts that one process runs (this process or a child).
// The coordinator only talks to groups; a group whose methods return
// nothing works synchronously (inline, or a process behind blocking pipes),
// one that returns promises is in another process. Every host sees the same
// sequence of operations in either case, which is what keeps runs identical
// across layouts.
import type { OutFrame } from '../host/host.js';
import type { TraceRecord } from '../net/core/trace.js';
import type { HostCounters, HostSnapshot } from './protocol.js';
import type { CaptureOptions, CaptureStore } from './capture.js';
import type { HostSnapshotView } from '../host/snapshot.js';

export type Maybe<T> = T | Promise<T>;

export interface ExecRequest {
  host: number;
  cmd: number;
  line: string;
  stdin: 'null' | 'pipe';
  /** Terminal: an interactive shell whose state persists across lines. */
  session?: number;
}

/** Where groups report what commands print and when they exit. */
export interface CommandSink {
  output(cmd: number, stream: 1 | 2, text: string): void;
  exit(cmd: number, code: number): void;
}

export interface HostGroup {
  /** Indices (in topo.hosts) of the hosts here. */
  readonly members: readonly number[];
  /** Earliest pending event of any host here, frames waiting included. */
  readonly next: number;
  /** Runs in another process (its methods return promises, unless synchronous). */
  readonly remote?: boolean;
  /** In another process but reached over a synchronous channel: window
   * phases (begin/finish), exec, input and signal return no promise. */
  readonly synchronous?: boolean;
  /** False while the process is down: frames for it are lost. */
  readonly alive: boolean;
  /** A frame for one of these hosts, in exchange order. */
  deliver(f: OutFrame): void;
  /** Run every host here to `end` (exclusive); append frames they send to `out`. */
  window(end: number, out: OutFrame[]): Maybe<void>;
  /** The same in two phases, for a process reached synchronously: begin()
   * sends the window and returns at once (false: not possible now, call
   * window()); finish() waits for the reply. The coordinator begins every
   * such group before it finishes any, so the processes work in parallel. */
  begin?(end: number): boolean;
  finish?(out: OutFrame[]): void;
  /** Sync groups: the coordinator skipped idle time up to `at` (no events there). */
  settle?(at: number): void;
  // Commands. Frames a host sends while taking one (a ping's first echo
  // request) are appended to `out`, to be exchanged after the next window
  // like every other frame.
  exec(at: number, req: ExecRequest, out: OutFrame[]): Maybe<void>;
  /** stdin text, or null for end of file. */
  input(at: number, cmd: number, text: string | null, out: OutFrame[]): Maybe<void>;
  /** SIGINT (Ctrl-C) to the command's job. */
  signal(at: number, cmd: number, out: OutFrame[]): Maybe<void>;
  setTrace(on: boolean, counters: boolean): Maybe<void>;
  /** Every record kept for host `h` so far, and how many older ones were dropped. */
  traceOf(h: number): { records: readonly TraceRecord[]; lost: number };
  /** Latest counters of each host here. */
  counters(): HostCounters[];
  snapshot(): Maybe<HostSnapshot[]>;
  close?(): Maybe<void>;
  // The app's view of hosts (capture.ts; core/host/snapshot.ts), the same
  // inline and in processes.
  /** Frame capture (and skb layouts) on with these bounds, or off (null). */
  setCapture?(opts: CaptureOptions | null): Maybe<void>;
  /** What was captured on host `h` so far (kept by the group, outliving a process). */
  captureOf?(h: number): CaptureStore | undefined;
  /** Host `h`'s kernel state for the internals panel (undefined: the host is down). */
  internals?(h: number, at?: number): Maybe<HostSnapshotView | undefined>;
}
