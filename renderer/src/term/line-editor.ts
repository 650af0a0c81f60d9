// A readline-like line editor for a host terminal: it turns the bytes xterm
// reports for keys into edits of one line, and returns what to echo. Pure
// logic (no xterm import) so it is unit-tested under Node.

export const COMMANDS = ['cat', 'echo', 'ip', 'nc', 'ping', 'ss', 'sysctl', 'traceroute'] as const;

export type EditorEvent =
  | { kind: 'echo'; out: string }
  | { kind: 'submit'; line: string; out: string }
  | { kind: 'interrupt'; out: string }
  | { kind: 'clear' };

const CSI = '\x1b[';

export class LineEditor {
  buffer = '';
  cursor = 0;
  private history: string[] = [];
  /** Index into history while browsing; history.length when on the new line. */
  private hIndex = 0;
  private draft = '';

  constructor(
    public prompt: string,
    private readonly commands: readonly string[] = COMMANDS,
    private readonly maxHistory = 500,
  ) {}

  get historyList(): readonly string[] {
    return this.history;
  }

  /** The whole line redrawn, cursor placed. */
  private redraw(): string {
    const back = this.buffer.length - this.cursor;
    return `\r${this.prompt}${this.buffer}${CSI}K${back > 0 ? `${CSI}${back}D` : ''}`;
  }

  private set(buffer: string, cursor = buffer.length): EditorEvent {
    this.buffer = buffer;
    this.cursor = cursor;
    return { kind: 'echo', out: this.redraw() };
  }

  /** Start a fresh line (after output); returns the prompt to print. */
  reset(): string {
    this.buffer = '';
    this.cursor = 0;
    this.hIndex = this.history.length;
    this.draft = '';
    return this.prompt;
  }

  /** Feed what xterm's onData gave; returns the events in order. */
  feed(data: string): EditorEvent[] {
    const out: EditorEvent[] = [];
    let i = 0;
    while (i < data.length) {
      const rest = data.slice(i);
      const esc = /^\x1b(\[[0-9;]*[A-Za-z~]|O[A-Za-z])/.exec(rest);
      if (esc) {
        const ev = this.key(esc[0]);
        if (ev) out.push(ev);
        i += esc[0].length;
        continue;
      }
      const ch = data[i++];
      const ev = this.key(ch === '\n' ? '\r' : ch);
      if (ev) out.push(ev);
      if (ev?.kind === 'submit') {
        // Text pasted after a newline waits for the next prompt (takePending).
        this.pendingInput += data.slice(i);
        break;
      }
    }
    return out;
  }

  private pendingInput = '';

  /** Input typed ahead while a command ran; feed it after the next reset(). */
  takePending(): string {
    const s = this.pendingInput;
    this.pendingInput = '';
    return s;
  }

  private key(k: string): EditorEvent | null {
    const b = this.buffer;
    const c = this.cursor;
    switch (k) {
      case '\r': {
        const line = b;
        if (line.trim() && this.history[this.history.length - 1] !== line) {
          this.history.push(line);
          if (this.history.length > this.maxHistory) this.history.shift();
        }
        this.buffer = '';
        this.cursor = 0;
        this.hIndex = this.history.length;
        return { kind: 'submit', line, out: '\r\n' };
      }
      case '\x03': // Ctrl-C: drop the line
        this.buffer = '';
        this.cursor = 0;
        this.hIndex = this.history.length;
        return { kind: 'interrupt', out: '^C\r\n' };
      case '\x7f':
      case '\b':
        return c > 0 ? this.set(b.slice(0, c - 1) + b.slice(c), c - 1) : null;
      case `${CSI}3~`: // Delete
      case '\x04':
        return c < b.length ? this.set(b.slice(0, c) + b.slice(c + 1), c) : null;
      case `${CSI}D`:
      case '\x02':
        return c > 0 ? this.set(b, c - 1) : null;
      case `${CSI}C`:
      case '\x06':
        return c < b.length ? this.set(b, c + 1) : null;
      case `${CSI}H`:
      case '\x1bOH':
      case '\x01':
        return this.set(b, 0);
      case `${CSI}F`:
      case '\x1bOF':
      case '\x05':
        return this.set(b, b.length);
      case '\x15': // Ctrl-U: kill to start
        return this.set(b.slice(c), 0);
      case '\x0b': // Ctrl-K: kill to end
        return this.set(b.slice(0, c), c);
      case '\x17': {
        // Ctrl-W: kill previous word
        const start = b.slice(0, c).replace(/\S+\s*$/, '').length;
        return this.set(b.slice(0, start) + b.slice(c), start);
      }
      case '\x0c':
        return { kind: 'clear' };
      case `${CSI}A`:
        return this.historyStep(-1);
      case `${CSI}B`:
        return this.historyStep(1);
      case '\t':
        return this.complete();
      default:
        if (k.length === 1 && k >= ' ' && k !== '\x7f') return this.set(b.slice(0, c) + k + b.slice(c), c + 1);
        return null; // other control keys and sequences are ignored
    }
  }

  private historyStep(dir: -1 | 1): EditorEvent | null {
    const next = this.hIndex + dir;
    if (next < 0 || next > this.history.length) return null;
    if (this.hIndex === this.history.length) this.draft = this.buffer;
    this.hIndex = next;
    return this.set(next === this.history.length ? this.draft : this.history[next]);
  }

  /** Complete the command name under the cursor (first word only). */
  private complete(): EditorEvent | null {
    const before = this.buffer.slice(0, this.cursor);
    if (!/^\s*\S*$/.test(before)) return null;
    const word = before.trim();
    const hits = this.commands.filter((cmd) => cmd.startsWith(word));
    if (hits.length === 0) return null;
    if (hits.length === 1) {
      const lead = before.length - before.trimStart().length;
      const done = hits[0] + ' ';
      const after = this.buffer.slice(this.cursor).replace(/^\S*/, '').replace(/^ /, '');
      return this.set(this.buffer.slice(0, lead) + done + after, lead + done.length);
    }
    const common = hits.reduce((p, h) => {
      let n = 0;
      while (n < p.length && p[n] === h[n]) n++;
      return p.slice(0, n);
    });
    if (common.length > word.length) {
      const lead = before.length - before.trimStart().length;
      return this.set(this.buffer.slice(0, lead) + common + this.buffer.slice(this.cursor), lead + common.length);
    }
    return { kind: 'echo', out: `\r\n${hits.join('  ')}\r\n${this.redraw().slice(1)}` };
  }
}
