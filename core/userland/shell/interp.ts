// The shell: runs parsed commands the way dash (/bin/sh on Debian) does, with
// the same messages (`sh: 1: foo: not found`) and exit statuses. Every
// command but the few builtins that change the shell's own state runs as its
// own task, so pipelines, `&` and Ctrl-C behave as processes do.
//
// Not supported: compound commands (if, for, while, case, { }, ( )),
// functions, here-documents, arithmetic, ${VAR:-...} forms, globbing, `~`.
import { Pipe, StringOutput, interruptTask, nullInput, type Input, type Output, type Proc, type Program, type ProgramGen, type Task, type Vfs, type Yield } from '../process.js';
import { TextInput, readAll, strerror } from '../builtins/io.js';
import { ShellSyntaxError, type Word } from './lexer.js';
import { Parser, type AndOr, type Pipeline, type Redirect, type SimpleCommand } from './parser.js';

export interface Stdio {
  stdin: Input;
  stdout: Output;
  stderr: Output;
}

/** What outlives one command line: variables, `$?`, `$!`, background jobs.
 * A terminal keeps one across the lines typed (an interactive shell); `sh -c`
 * starts from a fresh one. */
export class ShellSession {
  readonly vars = new Map<string, string>([
    ['HOME', '/root'],
    ['PATH', '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
    ['PWD', '/'],
  ]);
  status = 0;
  lastBg: number | null = null;
  jobs: Task[] = [];
  /** Input lines read so far: an interactive dash numbers its messages by them. */
  lineno = 0;
  /** `$$`: the pid of the first shell of the session. */
  pid: number | null = null;
  /** Set when `exit` ran in an interactive session: the terminal should close. */
  exitCode: number | null = null;

  /** A subshell's copy (`&`, `$(...)`): same variables, no jobs. */
  fork(): ShellSession {
    const s = new ShellSession();
    for (const [k, v] of this.vars) s.vars.set(k, v);
    s.status = this.status;
    s.lastBg = this.lastBg;
    s.pid = this.pid;
    return s;
  }
}

export interface ShellOptions {
  /** `$0`, also the prefix of error messages. */
  name: string;
  /** `$1`... */
  args: string[];
  /** Interactive: errors and Ctrl-C abandon the line but keep the session. */
  interactive: boolean;
}

/** `exit`, or an error that ends a non-interactive shell. */
class Exit {
  constructor(readonly code: number) {}
}
/** Abandon the rest of the input (interactive shells after an error or SIGINT). */
class Abort {
  constructor(readonly code: number) {}
}

/** Builtins run inside the shell, because they use or change its state. */
const BUILTINS = new Set(['exit', ':', 'cd', 'export', 'unset', 'wait']);
/** POSIX special builtins: their errors end a non-interactive shell. */
const SPECIAL = new Set(['exit', ':', 'export', 'unset']);
const IFS = ' \t\n';

/** A started command of a job: a task, or the status of one that ran inline. */
interface Member {
  name: string;
  line: number;
  task?: Task;
  status: number;
  files: FileOutput[];
}

export class Shell {
  private readonly io: Stdio;
  /** Line of the command being run, for messages. */
  private line = 1;
  /** A SIGINT was already acted on (the task's flag stays set). */
  private sigSeen = false;
  /** Status of the last command substitution (`x=$(false)` sets `$?`). */
  private subStatus: number | null = null;

  constructor(
    private readonly p: Proc,
    readonly st: ShellSession,
    private readonly opts: ShellOptions,
  ) {
    this.io = { stdin: p.stdin, stdout: p.stdout, stderr: p.stderr };
    st.pid ??= p.pid;
  }

  /** Parse and run `src` one complete command at a time; returns the exit status. */
  *run(src: string, firstLine = 1): ProgramGen {
    return yield* this.guard(this.commands(new Parser(src, firstLine)));
  }

  private *commands(parser: Parser): Generator<Yield, void> {
    for (;;) {
      let cmd: AndOr[] | null;
      try {
        cmd = parser.next();
      } catch (e) {
        if (!(e instanceof ShellSyntaxError)) throw e;
        this.line = e.line;
        this.error(e.bare ? e.message : `Syntax error: ${e.message}`);
        throw this.fatal(2);
      }
      if (!cmd) return;
      for (const ao of cmd) yield* this.andOr(ao);
    }
  }

  /** Run one and-or list (a background job's body). */
  *runAndOr(ao: AndOr): ProgramGen {
    return yield* this.guard(this.andOr({ ...ao, background: false }));
  }

  private *guard(body: Generator<Yield, void>): ProgramGen {
    try {
      yield* body;
    } catch (e) {
      if (e instanceof Exit) {
        if (this.opts.interactive) this.st.exitCode = e.code;
        this.st.status = e.code;
      } else if (e instanceof Abort) this.st.status = e.code;
      else throw e;
    }
    return this.st.status;
  }

  private fatal(code: number): Exit | Abort {
    return this.opts.interactive ? new Abort(code) : new Exit(code);
  }

  private error(msg: string, out: Output = this.io.stderr): void {
    out.write(`${this.opts.name}: ${this.line}: ${msg}\n`);
  }

  private *andOr(ao: AndOr): Generator<Yield, void> {
    if (ao.background) return this.background(ao);
    yield* this.pipeline(ao.first);
    for (const { op, pipeline } of ao.rest) {
      if ((op === '&&') === (this.st.status === 0)) yield* this.pipeline(pipeline);
    }
  }

  /** `cmd &`: a subshell task that nobody joins; its stdin is /dev/null (POSIX, no job control). */
  private background(ao: AndOr): void {
    const st = this.st.fork();
    const opts = { ...this.opts, interactive: false };
    const prog: Program = function* (q) {
      // As after fork(), the parent goes on first: `echo a & echo b` prints b, a.
      yield { op: 'sleep', ns: 0 };
      return yield* new Shell(q, st, opts).runAndOr(ao);
    };
    const t = this.p.spawn([this.opts.name], { ...this.io, stdin: nullInput() }, prog);
    this.st.jobs = this.st.jobs.filter((j) => j.exitCode === null);
    this.st.jobs.push(t);
    this.st.lastBg = t.pid;
    this.st.status = 0;
  }

  private *pipeline(pl: Pipeline): Generator<Yield, void> {
    // A Ctrl-C that arrived while no job ran (between two commands).
    if (this.p.interrupted && !this.sigSeen) this.sigint(130);
    const members: Member[] = [];
    if (pl.cmds.length === 1) members.push(yield* this.simple(pl.cmds[0], this.io, false));
    else {
      let stdin = this.io.stdin;
      for (let i = 0; i < pl.cmds.length; i++) {
        const pipe = i < pl.cmds.length - 1 ? new Pipe() : null;
        members.push(yield* this.simple(pl.cmds[i], { stdin, stdout: pipe ?? this.io.stdout, stderr: this.io.stderr }, true));
        // The children hold their own ends now; drop the shell's, as after fork().
        if (stdin instanceof Pipe) stdin.closeRead();
        pipe?.close();
        if (pipe) stdin = pipe;
      }
    }
    const status = yield* this.waitJob(members);
    this.st.status = pl.negate ? Number(status === 0) : status;
  }

  /** Wait for a foreground job. SIGINT reaching one member goes to all, as to a process group. */
  private *waitJob(members: Member[]): Generator<Yield, number> {
    let sig = false;
    for (const m of members) {
      if (!m.task) continue;
      m.status = yield { op: 'join', task: m.task };
      if (m.task.sigint && !sig) {
        sig = true;
        for (const o of members) if (o.task) interruptTask(o.task);
      }
    }
    for (const m of members) {
      m.files.forEach((f) => f.finish());
      this.reportWriteErrors(m);
    }
    const status = members[members.length - 1].status;
    if (sig || (this.p.interrupted && !this.sigSeen)) this.sigint(status);
    return status;
  }

  /** After a job got SIGINT: a non-interactive dash dies of it; an interactive
   * one abandons the line only if the job died of it (ping, which catches
   * SIGINT and exits normally, lets the line go on). */
  private sigint(status: number): void {
    this.sigSeen = true;
    if (!this.opts.interactive) throw new Exit(130);
    if (status > 128) throw new Abort(130);
  }

  /** Our programs cannot see failed writes: report them as dash (for its
   * builtins echo and printf) or coreutils would. */
  private reportWriteErrors(m: Member): void {
    const f = m.files.find((f) => f.error);
    if (!f?.error) return;
    const saved = this.line;
    this.line = m.line;
    if (m.name === 'echo' || m.name === 'printf') this.error(`${m.name}: ${m.name}: I/O error`);
    else this.io.stderr.write(`${m.name}: write error: ${strerror(f.error)}\n`);
    this.line = saved;
    if (m.status === 0) m.status = 1;
  }

  /** Expand, redirect and start one simple command. `forked`: it is part of
   * a pipeline, so builtins must leave the shell's state alone. */
  private *simple(c: SimpleCommand, io: Stdio, forked: boolean): Generator<Yield, Member> {
    this.line = c.line;
    this.subStatus = null;
    const argv = yield* this.expandFields(c.words);
    const assigns: [string, string][] = [];
    for (const a of c.assigns) assigns.push([a.name, yield* this.expandString(a.value)]);
    const name = argv[0] ?? '';
    const m: Member = { name, line: c.line, status: 0, files: [] };
    const r = yield* this.redirect(c.redirects, io);
    m.files = r.files;
    if (r.error) {
      this.error(r.error);
      r.files.forEach((f) => f.finish());
      // A redirection error of a special builtin ends a non-interactive shell.
      if (SPECIAL.has(name) && !forked) throw this.fatal(2);
      return { ...m, files: [], status: 2 };
    }
    if (!argv.length) {
      if (!forked) for (const [k, v] of assigns) this.st.vars.set(k, v);
      return { ...m, status: this.subStatus ?? 0 };
    }
    if (BUILTINS.has(name)) return { ...m, status: yield* this.builtin(argv, r.io, forked) };
    const prog = this.resolve(name);
    if (!prog) {
      this.error(`${name}: not found`, r.io.stderr);
      return { ...m, status: 127 };
    }
    return { ...m, task: this.p.spawn(argv, r.io, prog) };
  }

  /** Programs live in the host's table; /bin/echo and /usr/sbin/ip name them too. */
  private resolve(name: string): Program | undefined {
    if (!name.includes('/')) return this.p.lookup(name);
    const m = /^\/(?:usr\/)?(?:local\/)?s?bin\/([^/]+)$/.exec(name);
    return m ? this.p.lookup(m[1]) : undefined;
  }

  private *builtin(argv: string[], io: Stdio, forked: boolean): Generator<Yield, number> {
    const [name, ...args] = argv;
    switch (name) {
      case 'exit': {
        let code = this.st.status;
        if (args.length) {
          if (!/^\d+$/.test(args[0])) {
            this.error(`exit: Illegal number: ${args[0]}`, io.stderr);
            if (forked) return 2;
            throw this.fatal(2);
          }
          code = Number(args[0]) & 255;
        }
        if (forked) return code;
        throw new Exit(code);
      }
      case 'export':
      case 'unset':
        if (forked) return 0;
        for (const a of args) {
          const eq = a.indexOf('=');
          if (name === 'unset') this.st.vars.delete(a);
          else if (eq > 0) this.st.vars.set(a.slice(0, eq), a.slice(eq + 1));
        }
        return 0;
      case 'wait':
        for (const t of forked ? [] : this.st.jobs) {
          while (t.exitCode === null) {
            // A 'wait' yield would return at once: SIGINT is still flagged on this task.
            if (this.p.interrupted) return 130;
            // Not 'join': background jobs do not get the terminal's SIGINT.
            yield { op: 'wait', q: t.exited };
          }
        }
        if (!forked) this.st.jobs = [];
        return 0;
      default: // ':' and cd (there is no working directory to change)
        return 0;
    }
  }

  // ---- expansion --------------------------------------------------------

  private param(name: string): string {
    const { st, opts } = this;
    switch (name) {
      case '?':
        return String(st.status);
      case '!':
        return st.lastBg === null ? '' : String(st.lastBg);
      case '$':
        return String(st.pid);
      case '#':
        return String(opts.args.length);
      case '@':
      case '*':
        return opts.args.join(' ');
      case '-':
        return '';
      case '0':
        return opts.name;
    }
    if (/^\d+$/.test(name)) return opts.args[Number(name) - 1] ?? '';
    return st.vars.get(name) ?? '';
  }

  /** A word's pieces after parameter and command substitution; `split`
   * marks unquoted results, which field splitting cuts at blanks. */
  private *segments(w: Word): Generator<Yield, { s: string; split: boolean }[]> {
    const out: { s: string; split: boolean }[] = [];
    for (const p of w.parts) {
      if (p.k === 'lit') out.push({ s: p.s, split: false });
      else if (p.k === 'param') out.push({ s: this.param(p.name), split: !p.q });
      else out.push({ s: yield* this.commandSubst(p.src), split: !p.q });
    }
    return out;
  }

  /** Words to fields: an unquoted empty expansion vanishes, `""` stays. */
  private *expandFields(words: Word[]): Generator<Yield, string[]> {
    const fields: string[] = [];
    for (const w of words) {
      let cur = '';
      let have = false;
      for (const seg of yield* this.segments(w)) {
        if (!seg.split) {
          cur += seg.s;
          have = true;
          continue;
        }
        for (const ch of seg.s) {
          if (!IFS.includes(ch)) {
            cur += ch;
            have = true;
          } else if (have) {
            fields.push(cur);
            cur = '';
            have = false;
          }
        }
      }
      if (have) fields.push(cur);
    }
    return fields;
  }

  /** A word without field splitting (assignments, redirection targets). */
  private *expandString(w: Word): Generator<Yield, string> {
    return (yield* this.segments(w)).map((s) => s.s).join('');
  }

  /** `$(...)`: a subshell's output, trailing newlines removed. */
  private *commandSubst(src: string): Generator<Yield, string> {
    const out = new StringOutput();
    const st = this.st.fork();
    const line = this.line;
    const prog: Program = (q) => new Shell(q, st, { ...this.opts, interactive: false }).run(src, line);
    const task = this.p.spawn([this.opts.name], { ...this.io, stdout: out }, prog);
    this.subStatus = yield* this.waitJob([{ name: this.opts.name, line, task, status: 0, files: [] }]);
    return out.text.replace(/\n+$/, '');
  }

  // ---- redirection ------------------------------------------------------

  /** Apply redirections left to right; `error` is dash's message for the one that failed. */
  private *redirect(rs: Redirect[], io: Stdio): Generator<Yield, { io: Stdio; files: FileOutput[]; error?: string }> {
    let stdin = io.stdin;
    const outs = new Map<number, Output>([
      [1, io.stdout],
      [2, io.stderr],
    ]);
    const files: FileOutput[] = [];
    /** A closed descriptor: writes fail with EBADF. */
    const closed = () => {
      const f = FileOutput.closed();
      files.push(f);
      return f;
    };
    for (const r of rs) {
      const target = yield* this.expandString(r.target);
      if (r.op === '>&' || r.op === '<&') {
        // Only 0, 1 and 2 exist; a dup into another fd goes nowhere a program looks.
        const n = Number(target);
        if (target === '-') {
          if (r.fd === 0) stdin = nullInput();
          else if (outs.has(r.fd)) outs.set(r.fd, closed());
        } else if (n > 2) return { io, files, error: `${n}: Bad file descriptor` };
        else if (outs.has(r.fd)) outs.set(r.fd, outs.get(n) ?? closed());
        continue;
      }
      if (r.op === '<' || (r.op === '<>' && r.fd === 0)) {
        const data = this.p.vfs.read(target);
        if (typeof data !== 'string') return { io, files, error: `cannot open ${target}: ${data.errno === 'ENOENT' || data.errno === 'ENOTDIR' ? 'No such file' : strerror(data.errno)}` };
        if (r.fd === 0) stdin = new TextInput(data);
        continue;
      }
      const f = FileOutput.open(this.p.vfs, target, r.op === '>>' || r.op === '<>');
      if (!(f instanceof FileOutput)) return { io, files, error: `cannot create ${target}: ${f.errno === 'ENOENT' || f.errno === 'ENOTDIR' ? 'Directory nonexistent' : strerror(f.errno)}` };
      if (outs.has(r.fd)) outs.set(r.fd, f);
      files.push(f);
    }
    return { io: { stdin, stdout: outs.get(1)!, stderr: outs.get(2)! }, files };
  }
}

/** `> file` through the host's Vfs. Each chunk is one vfs.write, so a
 * sysctl sees `echo 1 > /proc/sys/...` as the single write Linux sees. A new
 * file is created at open (an empty write, reporting `Directory nonexistent`
 * as dash does); an existing one is truncated by the first write, or by an
 * empty write at finish() if nothing came, whose error is ignored since
 * O_TRUNC is a no-op on procfs. With a null vfs it is a closed descriptor. */
export class FileOutput implements Output {
  /** The first write error (the shell reports it when the command ends). */
  error: string | null = null;

  private constructor(
    private readonly vfs: Vfs | null,
    private readonly path: string,
    /** The next write must truncate (`>` on an existing file). */
    private truncate: boolean,
  ) {}

  static open(vfs: Vfs, path: string, append: boolean): FileOutput | { errno: string } {
    const cur = vfs.read(path);
    if (typeof cur !== 'string') {
      if (cur.errno === 'EISDIR') return cur;
      if (cur.errno === 'ENOENT' || cur.errno === 'ENOTDIR') return vfs.write(path, '', append) ?? new FileOutput(vfs, path, false);
      // Unreadable is not unwritable (write-only files): the first write will tell.
    }
    return new FileOutput(vfs, path, !append);
  }

  static closed(): FileOutput {
    return new FileOutput(null, '', false);
  }

  write(s: string): void {
    if (!s || this.error) return;
    if (!this.vfs) this.error = 'EBADF';
    else this.error = this.vfs.write(this.path, s, !this.truncate)?.errno ?? null;
    this.truncate = false;
  }

  /** The command is done: truncate a file nothing was written to. */
  finish(): void {
    if (this.truncate) this.vfs?.write(this.path, '', false);
    this.truncate = false;
  }

  close(): void {}
}

/** The `sh` program: `sh -c CMD [NAME [ARG...]]`, `sh FILE [ARG...]`, or a script on stdin. */
export const sh: Program = function* (p: Proc) {
  const name = p.argv[0] ?? 'sh';
  const a = p.argv.slice(1);
  let i = 0;
  let command = false;
  // Options other than -c (-e, -x...) are accepted and ignored.
  for (; i < a.length && /^[-+][a-z]+$/.test(a[i]); i++) if (a[i].startsWith('-') && a[i].includes('c')) command = true;
  if (a[i] === '--') i++;
  let src: string | null;
  let opts: ShellOptions;
  if (command) {
    if (i >= a.length) {
      p.stderr.write(`${name}: 0: -c requires an argument\n`);
      return 2;
    }
    src = a[i];
    opts = { name: a[i + 1] ?? name, args: a.slice(i + 2), interactive: false };
  } else if (i < a.length) {
    const data = p.vfs.read(a[i]);
    if (typeof data !== 'string') {
      p.stderr.write(`${name}: 0: cannot open ${a[i]}: No such file\n`);
      return 2;
    }
    src = data;
    opts = { name: a[i], args: a.slice(i + 1), interactive: false };
  } else {
    src = yield* readAll(p, p.stdin);
    if (src === null) return 130;
    opts = { name, args: [], interactive: false };
  }
  return yield* new Shell(p, new ShellSession(), opts).run(src);
};

/** A program running one command line as a terminal's shell would: with a
 * session, interactively (variables and `$?` persist, line numbers count
 * on); without, exactly as `sh -c line`. */
export function shellLine(line: string, session?: ShellSession): Program {
  return function* (p: Proc) {
    const st = session ?? new ShellSession();
    const first = session ? session.lineno + 1 : 1;
    if (session) session.lineno += line.replace(/\n$/, '').split('\n').length;
    return yield* new Shell(p, st, { name: 'sh', args: [], interactive: !!session }).run(line, first);
  };
}
