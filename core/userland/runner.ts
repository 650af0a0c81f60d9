// A host's process table: builds each process's view of the host (Proc) and
// starts it on the scheduler. Pipes passed to a process behave like file
// descriptors inherited over fork: the process holds its own reference to
// each end for its lifetime, and a write to a pipe nobody reads any more
// interrupts the writer (SIGPIPE), so `ping ... | head -n 3` ends.
import type { Engine } from '../sim/engine.js';
import { Pipe, interruptTask, type Input, type Output, type Proc, type Program, type Scheduler, type Task, type Vfs } from './process.js';
import { shellLine, type ShellSession, type Stdio } from './shell/interp.js';

export { builtinPrograms } from './builtins/index.js';
export { ShellSession, type Stdio } from './shell/interp.js';

/** The writing end of a pipe as one process holds it. */
class PipeWriter implements Output {
  constructor(
    readonly pipe: Pipe,
    private readonly sigpipe: () => void,
  ) {}
  write(s: string): void {
    if (this.pipe.broken) this.sigpipe();
    else this.pipe.write(s);
  }
  close(): void {
    this.pipe.close();
  }
}

const pipeOf = (o: Output): Pipe | null => (o instanceof Pipe ? o : o instanceof PipeWriter ? o.pipe : null);

export class ProcessTable {
  readonly programs: Map<string, Program>;

  constructor(
    private readonly engine: Engine,
    private readonly sched: Scheduler,
    private readonly opts: { vfs: Vfs; sys: unknown; programs: Map<string, Program> },
  ) {
    this.programs = opts.programs;
  }

  /** Start a process running `program` (default: argv[0] looked up in the
   * table). It runs synchronously until it first blocks. Pipe ends in `io`
   * are duplicated for the child, so the caller still closes its own. */
  spawn(argv: string[], io: Stdio, program: Program | undefined = this.programs.get(argv[0])): Task {
    const pid = this.sched.allocPid();
    let task: Task | undefined;
    const self = () => task ?? this.sched.tasks.get(pid);
    const release: (() => void)[] = [];
    const output = (o: Output): Output => {
      const pipe = pipeOf(o);
      if (!pipe) return o;
      pipe.addWriter();
      const w = new PipeWriter(pipe, () => {
        const t = self();
        if (t) interruptTask(t, 'SIGPIPE');
      });
      release.push(() => w.close());
      return w;
    };
    const input = (i: Input): Input => {
      if (i instanceof Pipe) {
        i.addReader();
        release.push(() => i.closeRead());
      }
      return i;
    };
    const { sched, engine, opts } = this;
    const proc: Proc = {
      argv,
      stdin: input(io.stdin),
      stdout: output(io.stdout),
      stderr: output(io.stderr),
      sys: opts.sys,
      vfs: opts.vfs,
      pid,
      get interrupted() {
        return self()?.interrupted ?? false;
      },
      lookup: (name) => this.programs.get(name),
      spawn: (a, childIo, prog) => this.spawn(a, childIo, prog),
      now: () => engine.now,
    };
    task = sched.start(pid, argv, (program ?? notFound)(proc));
    const exit = () => release.forEach((r) => r());
    if (task.exitCode !== null) exit();
    else task.exited.add(exit);
    return task;
  }

  /** Run a command line as a terminal's shell does. Without a session it is
   * exactly `sh -c line`; with one, the shell is interactive: variables, `$?`
   * and background jobs persist between lines, line numbers in messages
   * count on, a Ctrl-C'd job ends the line and `exit` sets session.exitCode. */
  runLine(line: string, io: Stdio, session?: ShellSession): Task {
    return this.spawn(['sh', '-c', line], io, shellLine(line, session));
  }
}

/** What spawn runs for a name that is not in the table (as execvp fails). */
const notFound: Program = function* (p) {
  p.stderr.write(`${p.argv[0]}: not found\n`);
  return 127;
};
