// Userland processes in virtual time. A program is a generator: it runs
// synchronously until it must block, then yields what it waits for (a sleep,
// a wait queue with an optional timeout, another task's exit). The scheduler
// resumes it from an engine event, so a whole host, shell included, stays
// deterministic and needs no real threads or promises.
import type { Engine } from '../sim/engine.js';
import { WaitQueue, type WaitQueueEntry } from '../kernel/wait.js';

export type Yield =
  /** schedule_timeout_uninterruptible(ns). Resumes with undefined. */
  | { op: 'sleep'; ns: number }
  /** Sleep on q until woken (resumes with true) or timeout (resumes with false). */
  | { op: 'wait'; q: WaitQueue; timeoutNs?: number }
  /** waitpid(task). Resumes with its exit status. */
  | { op: 'join'; task: Task };

export type ProgramGen = Generator<Yield, number, any>;

/** A program's main: returns (or yields until it returns) its exit status. */
export type Program = (p: Proc) => ProgramGen;

/** Where a process writes. */
export interface Output {
  /** A terminal (isatty(1)): tools that buffer for pipes and files do not. */
  isatty?: boolean;
  write(s: string): void;
  /** Close the writing end (pipes deliver EOF to the reader). */
  close(): void;
}

/** Where a process reads. read() returns the data available now, '' when
 * nothing is there yet (sleep on `q` and retry), or null at end of file. */
export interface Input {
  read(): string | null;
  readonly q: WaitQueue;
}

export type VfsError = 'ENOENT' | 'EISDIR' | 'EACCES' | 'EINVAL' | 'ENOTDIR' | 'EPERM';

/** The host's file namespace as processes see it: procfs, sysfs, /dev/null, files. */
export interface Vfs {
  read(path: string): string | { errno: VfsError };
  write(path: string, data: string, append: boolean): null | { errno: VfsError };
  /** Names in a directory, for tab completion and ls. */
  list(path: string): string[] | { errno: VfsError };
  /** Binary-safe access (pcap files): the bytes of a file; text files read as UTF-8. */
  readBytes?(path: string): Uint8Array | { errno: VfsError };
  writeBytes?(path: string, data: Uint8Array, append: boolean): null | { errno: VfsError };
}

/** Everything a process can reach: its argv and stdio, the host's kernel
 * (typed as unknown here so userland/process stays below the kernel), files,
 * and how to start other programs. */
export interface Proc {
  argv: string[];
  stdin: Input;
  stdout: Output;
  stderr: Output;
  /** The host's kernel facade; tools cast it to the kernel's type. */
  sys: unknown;
  vfs: Vfs;
  pid: number;
  /** Set when the task got SIGINT (Ctrl-C); programs check it after each wait. */
  readonly interrupted: boolean;
  /** Look up a program by name (shell builtins excluded). */
  lookup(name: string): Program | undefined;
  /** Start another process on the same host; it runs concurrently. */
  spawn(argv: string[], io: { stdin: Input; stdout: Output; stderr: Output }, program?: Program): Task;
  /** Virtual time now (ns). */
  now(): number;
}

let nullQ: WaitQueue | undefined;

/** An Input that is at end of file (like </dev/null). */
export function nullInput(): Input {
  nullQ ??= new WaitQueue();
  return { read: () => null, q: nullQ };
}

/** An Output that discards everything. */
export const nullOutput: Output = { write() {}, close() {} };

/** An Output that collects text (check results, tests). */
export class StringOutput implements Output {
  text = '';
  write(s: string): void {
    this.text += s;
  }
  close(): void {}
}

/** A pipe (`a | b`): unbounded text buffer with EOF once every writer closed.
 * Both ends are reference counted like file descriptors: the creator holds
 * one reference to each end, every process given an end takes its own (see
 * ProcessTable.spawn), and each drops its references on exit. */
export class Pipe implements Input, Output {
  readonly q = new WaitQueue();
  private buf = '';
  private writers = 1;
  private readers = 1;
  write(s: string): void {
    // Nobody can ever read it: drop (the writer gets SIGPIPE from its stdout wrapper).
    if (!s || this.readers === 0) return;
    this.buf += s;
    this.q.wake_up();
  }
  close(): void {
    if (this.writers > 0 && --this.writers === 0) this.q.wake_up();
  }
  /** Another writer shares this pipe (each must close). */
  addWriter(): void {
    this.writers++;
  }
  /** Another reader shares this pipe (each must closeRead). */
  addReader(): void {
    this.readers++;
  }
  /** Drop a reading reference; once none is left the pipe is broken. */
  closeRead(): void {
    if (this.readers > 0 && --this.readers === 0) this.buf = '';
  }
  /** Every reader is gone: a write would raise SIGPIPE (EPIPE). */
  get broken(): boolean {
    return this.readers === 0;
  }
  read(): string | null {
    if (this.buf) {
      const s = this.buf;
      this.buf = '';
      return s;
    }
    return this.writers > 0 ? '' : null;
  }
}

export class Task {
  exitCode: number | null = null;
  readonly exited = new WaitQueue();
  interrupted = false;
  /** `interrupted` came from Ctrl-C (not from SIGPIPE): shells stop the job. */
  sigint = false;
  /** What the task is blocked on, to cancel on SIGINT. */
  wake: (() => void) | QueueWait | null = null;
  /** The value a deferred resume hands the task (see Scheduler.resume). */
  resumeValue: unknown = undefined;
  resumePending = false;
  constructor(
    readonly pid: number,
    readonly argv: string[],
    readonly gen: ProgramGen,
  ) {}
}

export const INTERRUPTED = Symbol('interrupted');

/** Interrupt a task (Scheduler.interrupt without the scheduler): a shell
 * sends SIGINT to a whole foreground job with it, and a write to a broken
 * pipe stops its writer with SIGPIPE (programs see both as `interrupted`). */
export function interruptTask(t: Task, sig: 'SIGINT' | 'SIGPIPE' = 'SIGINT'): void {
  if (t.exitCode !== null) return;
  t.interrupted = true;
  if (sig === 'SIGINT') t.sigint = true;
  const w = t.wake;
  if (w) {
    t.wake = null;
    if (typeof w === 'function') w();
    else w.finish(false);
  }
}

/** A task asleep on a wait queue: the queue's entry, the task's way out on
 * SIGINT and the timeout's target in one object (rather than a closure for
 * each), ending the wait once. */
class QueueWait implements WaitQueueEntry {
  private done = false;
  constructor(
    private readonly sched: Scheduler,
    private readonly t: Task,
    private readonly q: WaitQueue,
  ) {}

  wakeup(): void {
    this.finish(true);
  }

  finish(woken: boolean): void {
    if (this.done) return;
    this.done = true;
    this.t.wake = null;
    this.q.remove(this);
    this.sched.resumeTask(this.t, woken);
  }
}

const waitTimeout = (w: QueueWait): void => w.finish(false);

/** Tasks nested in one synchronous start before the next waits for an event. */
const MAX_SYNC_NESTING = 32;

/** Runs tasks on a host's engine. */
export class Scheduler {
  private nextPid = 100;
  readonly tasks = new Map<number, Task>();
  /** Called whenever a task exits (shells, terminals, check runners). */
  onExit: ((t: Task) => void) | null = null;

  constructor(private engine: Engine) {}

  allocPid(): number {
    return this.nextPid++;
  }

  /** Create a task and run it synchronously until its first block. */
  start(pid: number, argv: string[], gen: ProgramGen): Task {
    const t = new Task(pid, argv, gen);
    this.tasks.set(pid, t);
    this.resume(t, undefined);
    return t;
  }

  /** Deliver SIGINT: the task's current wait returns early; it sees `interrupted`. */
  interrupt(t: Task): void {
    interruptTask(t);
  }

  /** Earliest time a task may run again: its CPU may still be busy with the
   * work the task itself just did (system calls) or with interrupts. */
  cpuFreeAt: (() => number) | null = null;

  private resume(t: Task, value: unknown): void {
    const at = this.cpuFreeAt?.() ?? 0;
    if (at > this.engine.now) {
      // The value waits on the task; a second pending resume (not expected)
      // keeps its own in a closure.
      if (t.resumePending) {
        this.engine.at(at, () => this.run(t, value));
        return;
      }
      t.resumePending = true;
      t.resumeValue = value;
      this.engine.at(at, this.runDeferred, t);
      return;
    }
    this.run(t, value);
  }

  /** resume() for the wait entries above. */
  resumeTask(t: Task, value: unknown): void {
    this.resume(t, value);
  }

  private readonly runDeferred = (t: Task): void => {
    const value = t.resumeValue;
    t.resumePending = false;
    t.resumeValue = undefined;
    this.run(t, value);
  };

  /** Tasks running inside one another's synchronous start (`$($($(...)))`). */
  private nesting = 0;

  private run(t: Task, value: unknown): void {
    // A task started (or resumed by an exit) from a task runs on the same JS
    // stack; past a depth the stack cannot hold, continue from an event at
    // the same virtual time.
    if (this.nesting >= MAX_SYNC_NESTING) {
      this.engine.after(0, () => this.run(t, value));
      return;
    }
    this.nesting++;
    try {
      this.step(t, value);
    } finally {
      this.nesting--;
    }
  }

  private step(t: Task, value: unknown): void {
    let r: IteratorResult<Yield, number>;
    try {
      r = t.gen.next(value);
    } catch (e) {
      // A bug in a tool must not take the host down: report like a crash.
      t.exitCode = 139;
      this.finish(t, e);
      return;
    }
    if (r.done) {
      t.exitCode = r.value ?? 0;
      this.finish(t);
      return;
    }
    this.block(t, r.value);
  }

  private finish(t: Task, err?: unknown): void {
    this.tasks.delete(t.pid);
    if (err !== undefined) this.crashes.push({ argv: t.argv, err });
    t.exited.wake_up();
    this.onExit?.(t);
  }

  /** Exceptions thrown by programs, kept for tests and the UI. */
  readonly crashes: { argv: string[]; err: unknown }[] = [];

  private block(t: Task, y: Yield): void {
    if (t.interrupted && y.op !== 'join') {
      // A pending SIGINT: do not sleep at all.
      this.engine.after(0, () => this.resume(t, y.op === 'wait' ? false : undefined));
      return;
    }
    switch (y.op) {
      case 'sleep': {
        let done = false;
        const fire = () => {
          if (done) return;
          done = true;
          t.wake = null;
          this.resume(t, undefined);
        };
        t.wake = fire;
        this.engine.after(Math.max(0, y.ns), fire);
        return;
      }
      case 'wait': {
        const w = new QueueWait(this, t, y.q);
        t.wake = w;
        y.q.add(w);
        if (y.timeoutNs !== undefined) this.engine.after(Math.max(0, y.timeoutNs), waitTimeout, w);
        return;
      }
      case 'join': {
        const child = y.task;
        if (child.exitCode !== null) {
          // Resume from an event so deep pipelines do not recurse.
          this.engine.after(0, () => this.resume(t, child.exitCode));
          return;
        }
        const onExit = () => {
          t.wake = null;
          this.resume(t, child.exitCode);
        };
        // SIGINT goes to the whole foreground job: pass it on, keep waiting.
        // interrupt() already cleared t.wake; the child may exit (and so
        // resume t, which may block again) inside this.interrupt(child), so
        // only re-arm for a further Ctrl-C while the child still runs.
        const forward = () => {
          this.interrupt(child);
          if (child.exitCode === null) t.wake = forward;
        };
        t.wake = forward;
        child.exited.add(onExit);
        return;
      }
    }
  }
}
