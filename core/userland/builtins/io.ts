// Reading helpers shared by the text tools: a program reads by yielding on
// its input's wait queue until data or end of file arrives, and stops early
// when interrupted (Ctrl-C, or SIGPIPE from a pipe nobody reads any more).
import { WaitQueue } from '../../kernel/wait.js';
import type { Input, Proc, Yield } from '../process.js';

/** The next chunk of `input`; null at end of file or once interrupted. */
export function* readChunk(p: Proc, input: Input): Generator<Yield, string | null> {
  for (;;) {
    if (p.interrupted) return null;
    const s = input.read();
    if (s !== '') return s;
    yield { op: 'wait', q: input.q };
  }
}

/** Everything up to end of file (null if interrupted first). */
export function* readAll(p: Proc, input: Input): Generator<Yield, string | null> {
  let text = '';
  for (;;) {
    const s = yield* readChunk(p, input);
    if (s === null) return p.interrupted ? null : text;
    text += s;
  }
}

/** Call fn on each line (newline included, when there is one) as soon as it
 * is complete, so `ping | grep` streams. Stops when fn returns false.
 * Returns false if the input was cut short by an interrupt. */
export function* eachLine(p: Proc, input: Input, fn: (line: string) => boolean | void): Generator<Yield, boolean> {
  let buf = '';
  for (;;) {
    const s = yield* readChunk(p, input);
    if (s === null) {
      if (buf && !p.interrupted) fn(buf);
      return !p.interrupted;
    }
    buf += s;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl + 1);
      buf = buf.slice(nl + 1);
      if (fn(line) === false) return true;
    }
  }
}

/** Split text into lines, newline kept (the last may lack one). */
export function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** An Input over fixed text (a file opened with `<`, test input). */
export class TextInput implements Input {
  readonly q = new WaitQueue();
  constructor(private text: string | null) {}
  read(): string | null {
    const s = this.text || null;
    this.text = null;
    return s;
  }
}

const ERRORS: Record<string, string> = {
  ENOENT: 'No such file or directory',
  EISDIR: 'Is a directory',
  EACCES: 'Permission denied',
  EINVAL: 'Invalid argument',
  ENOTDIR: 'Not a directory',
  EPERM: 'Operation not permitted',
  EBADF: 'Bad file descriptor',
  ENOSPC: 'No space left on device',
};

/** strerror(3) for the errnos the Vfs reports. */
export function strerror(errno: string): string {
  return ERRORS[errno] ?? errno;
}
