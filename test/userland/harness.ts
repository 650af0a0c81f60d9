// A host without a network: engine, scheduler, process table and an
// in-memory Vfs, with helpers to run command lines to completion.
import { Engine } from '../../core/sim/engine.js';
import { Scheduler, StringOutput, type Input, type Program, type Task, type Vfs, type VfsError } from '../../core/userland/process.js';
import { ProcessTable, builtinPrograms, type ShellSession } from '../../core/userland/runner.js';
import { TextInput } from '../../core/userland/builtins/io.js';

/** Files in a Map; /dev/null as Linux has it; /proc/sys/ro and /proc/sys/val
 * act like sysctl files: every write is a value, '' is invalid. */
export class MemVfs implements Vfs {
  readonly files = new Map<string, string>([
    ['/proc/sys/ro', '0\n'],
    ['/proc/sys/val', '0\n'],
  ]);
  readonly dirs = new Set(['/', '/tmp', '/etc', '/dev', '/proc', '/proc/sys']);

  read(path: string): string | { errno: VfsError } {
    if (path === '/dev/null') return '';
    if (this.dirs.has(path)) return { errno: 'EISDIR' };
    return this.files.get(path) ?? { errno: 'ENOENT' };
  }

  write(path: string, data: string, append: boolean): null | { errno: VfsError } {
    if (path === '/dev/null') return null;
    if (path === '/proc/sys/ro') return { errno: 'EINVAL' };
    if (path === '/proc/sys/val') {
      if (!/^\d+\n?$/.test(data)) return { errno: 'EINVAL' };
      this.files.set(path, data.trim() + '\n');
      return null;
    }
    if (this.dirs.has(path)) return { errno: 'EISDIR' };
    if (!this.dirs.has(path.slice(0, path.lastIndexOf('/')) || '/')) return { errno: 'ENOENT' };
    this.files.set(path, append ? (this.files.get(path) ?? '') + data : data);
    return null;
  }

  list(path: string): string[] | { errno: VfsError } {
    if (!this.dirs.has(path)) return { errno: 'ENOENT' };
    const prefix = path === '/' ? '/' : path + '/';
    return [...this.files.keys(), ...this.dirs].filter((p) => p.startsWith(prefix) && p !== path && !p.slice(prefix.length).includes('/')).map((p) => p.slice(prefix.length));
  }
}

export interface Run {
  task: Task;
  out: StringOutput;
  err: StringOutput;
}

export interface Result {
  out: string;
  err: string;
  code: number;
  /** Virtual time at exit (ns). */
  ns: number;
}

export function makeHost(extra: Record<string, Program> = {}) {
  const engine = new Engine();
  const sched = new Scheduler(engine);
  const vfs = new MemVfs();
  const programs = builtinPrograms();
  for (const [k, v] of Object.entries(extra)) programs.set(k, v);
  const table = new ProcessTable(engine, sched, { vfs, sys: null, programs });

  /** Start a line; the caller drives the engine. */
  const start = (line: string, opts: { stdin?: string | Input; session?: ShellSession } = {}): Run => {
    const out = new StringOutput();
    const err = new StringOutput();
    const stdin = typeof opts.stdin === 'object' ? opts.stdin : new TextInput(opts.stdin ?? null);
    const task = table.runLine(line, { stdin, stdout: out, stderr: err }, opts.session);
    return { task, out, err };
  };

  /** Step the engine until the task has exited. */
  const finish = (r: Run): Result => {
    while (r.task.exitCode === null) {
      if (!engine.step()) throw new Error(`blocked forever: ${r.task.argv.join(' ')}`);
    }
    // A program that threw would look like exit 139: fail loudly instead.
    if (sched.crashes.length) throw sched.crashes[0].err;
    return { out: r.out.text, err: r.err.text, code: r.task.exitCode, ns: engine.now };
  };

  const run = (line: string, opts: { stdin?: string | Input; session?: ShellSession } = {}): Result => finish(start(line, opts));

  return { engine, sched, vfs, programs, table, start, finish, run };
}
