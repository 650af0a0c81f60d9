// Shell tokens, read on demand as dash's parser reads them: a command is
// parsed and run before the next one is lexed, so `echo a\necho "b` prints
// `a` before the syntax error, as under /bin/sh.

/** A piece of a word. `q` marks quoted text: no field splitting, no
 * assignment or keyword recognition. */
export type Part =
  | { k: 'lit'; s: string; q: boolean }
  | { k: 'param'; name: string; q: boolean }
  | { k: 'cmdsub'; src: string; q: boolean };

export interface Word {
  parts: Part[];
}

export type Token =
  | { t: 'word'; w: Word; line: number }
  /** Operators; `fd` is an IO_NUMBER glued to a redirection (`2>`). */
  | { t: 'op'; op: string; fd?: number; line: number }
  | { t: 'newline'; line: number }
  | { t: 'eof'; line: number };

/** A syntax error: printed as `sh: LINE: Syntax error: MSG` unless `bare`
 * (dash prints some expansion errors, like `Bad substitution`, without it). */
export class ShellSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly bare = false,
  ) {
    super(message);
  }
}

const OPS = ['&&', '||', ';;', '>>', '>&', '<&', '>|', '<>', '<<', ';', '&', '|', '(', ')', '<', '>'];
const META = ' \t\n;&|()<>';
const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*/;

export class Lexer {
  private i = 0;
  constructor(
    private readonly src: string,
    /** Line number of the first line (interactive shells count across lines). */
    public line = 1,
  ) {}

  next(): Token {
    const s = this.src;
    for (;;) {
      const c = s[this.i];
      if (c === ' ' || c === '\t') this.i++;
      else if (c === '\\' && s[this.i + 1] === '\n') {
        this.i += 2;
        this.line++;
      } else if (c === '#') {
        while (this.i < s.length && s[this.i] !== '\n') this.i++;
      } else break;
    }
    const line = this.line;
    if (this.i >= s.length) return { t: 'eof', line };
    const c = s[this.i];
    if (c === '\n') {
      this.i++;
      this.line++;
      return { t: 'newline', line };
    }
    const io = /^\d+(?=[<>])/.exec(s.slice(this.i, this.i + 12));
    if (io) {
      this.i += io[0].length;
      const op = this.op()!;
      return { t: 'op', op, fd: Number(io[0]), line };
    }
    const op = this.op();
    if (op) return { t: 'op', op, line };
    return { t: 'word', w: this.word(), line };
  }

  private op(): string | undefined {
    const op = OPS.find((o) => this.src.startsWith(o, this.i));
    if (op) this.i += op.length;
    return op;
  }

  private word(): Word {
    const s = this.src;
    const parts: Part[] = [];
    const lit = (text: string, q: boolean) => {
      const last = parts[parts.length - 1];
      if (last?.k === 'lit' && last.q === q) last.s += text;
      else parts.push({ k: 'lit', s: text, q });
    };
    while (this.i < s.length && !META.includes(s[this.i])) {
      const c = s[this.i++];
      if (c === '\\') {
        if (this.i >= s.length) lit('\\', false);
        else if (s[this.i] === '\n') {
          this.i++;
          this.line++;
        } else lit(s[this.i++], true);
      } else if (c === "'") {
        const end = s.indexOf("'", this.i);
        if (end < 0) this.unterminated();
        const text = s.slice(this.i, end);
        this.countLines(text);
        lit(text, true);
        this.i = end + 1;
      } else if (c === '"') {
        this.doubleQuoted(parts, lit);
      } else if (c === '$') {
        const p = this.dollar(false);
        if (p) parts.push(p);
        else lit('$', false);
      } else if (c === '`') {
        parts.push({ k: 'cmdsub', src: this.backquote(), q: false });
      } else lit(c, false);
    }
    return { parts };
  }

  private doubleQuoted(parts: Part[], lit: (s: string, q: boolean) => void): void {
    const s = this.src;
    lit('', true); // "" is a word even when empty
    for (;;) {
      if (this.i >= s.length) this.unterminated();
      const c = s[this.i++];
      if (c === '"') return;
      if (c === '\\' && this.i < s.length && '$`"\\\n'.includes(s[this.i])) {
        const e = s[this.i++];
        if (e === '\n') this.line++;
        else lit(e, true);
      } else if (c === '$') {
        const p = this.dollar(true);
        if (p) parts.push(p);
        else lit('$', true);
      } else if (c === '`') {
        parts.push({ k: 'cmdsub', src: this.backquote(), q: true });
      } else {
        if (c === '\n') this.line++;
        lit(c, true);
      }
    }
  }

  /** After a `$`: a parameter or command substitution, or undefined for a plain `$`. */
  private dollar(q: boolean): Part | undefined {
    const s = this.src;
    const c = s[this.i];
    if (c === '{') {
      const end = s.indexOf('}', this.i);
      if (end < 0) throw new ShellSyntaxError("Missing '}'", this.line);
      const name = s.slice(this.i + 1, end);
      if (!/^([A-Za-z_][A-Za-z0-9_]*|\d+|[?!$#@*0-])$/.test(name)) throw new ShellSyntaxError('Bad substitution', this.line, true);
      this.i = end + 1;
      return { k: 'param', name, q };
    }
    if (c === '(') {
      if (s[this.i + 1] === '(') throw new ShellSyntaxError('arithmetic expansion is not supported', this.line, true);
      return { k: 'cmdsub', src: this.parenthesised(), q };
    }
    const m = NAME_RE.exec(s.slice(this.i, this.i + 256));
    const name = m ? m[0] : c !== undefined && '?!$#@*-0123456789'.includes(c) ? c : '';
    if (!name) return undefined;
    this.i += name.length;
    return { k: 'param', name, q };
  }

  /** The text of `$( ... )`, skipping nested parentheses and quotes. */
  private parenthesised(): string {
    const s = this.src;
    const start = ++this.i;
    let depth = 1;
    while (this.i < s.length) {
      const c = s[this.i++];
      if (c === '\\') this.i++;
      else if (c === "'") this.i = s.indexOf("'", this.i) + 1 || s.length;
      else if (c === '"') {
        while (this.i < s.length && s[this.i] !== '"') this.i += s[this.i] === '\\' ? 2 : 1;
        this.i++;
      } else if (c === '(') depth++;
      else if (c === ')' && --depth === 0) {
        const text = s.slice(start, this.i - 1);
        this.countLines(text);
        return text;
      }
    }
    throw new ShellSyntaxError('end of file unexpected (expecting ")")', this.line);
  }

  /** The text of `` `...` ``, with its backslash escapes removed. */
  private backquote(): string {
    const s = this.src;
    let text = '';
    while (this.i < s.length) {
      const c = s[this.i++];
      if (c === '`') {
        this.countLines(text);
        return text;
      }
      if (c === '\\' && '$`\\'.includes(s[this.i] ?? '')) text += s[this.i++];
      else text += c;
    }
    throw new ShellSyntaxError('EOF in backquote substitution', this.line);
  }

  private countLines(text: string): void {
    for (const ch of text) if (ch === '\n') this.line++;
  }

  private unterminated(): never {
    this.countLines(this.src.slice(this.i));
    this.i = this.src.length;
    throw new ShellSyntaxError('Unterminated quoted string', this.line);
  }
}
