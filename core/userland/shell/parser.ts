// Recursive-descent parser for the subset of the POSIX grammar the labs use:
//
//   complete_command := and_or ((';' | '&') and_or)* [';' | '&'] (NEWLINE | EOF)
//   and_or           := pipeline (('&&' | '||') linebreak pipeline)*
//   pipeline         := ['!'] simple ('|' linebreak simple)*
//   simple           := (ASSIGNMENT | redirect)* (WORD | redirect)*
//
// Error messages are dash's (parser.c: synexpect, "X" unexpected).
import { Lexer, ShellSyntaxError, type Token, type Word } from './lexer.js';

export interface Redirect {
  fd: number;
  op: '<' | '>' | '>>' | '>|' | '>&' | '<&' | '<>';
  target: Word;
}

export interface SimpleCommand {
  assigns: { name: string; value: Word }[];
  words: Word[];
  redirects: Redirect[];
  line: number;
}

export interface Pipeline {
  negate: boolean;
  cmds: SimpleCommand[];
}

export interface AndOr {
  first: Pipeline;
  rest: { op: '&&' | '||'; pipeline: Pipeline }[];
  background: boolean;
}

const REDIRECTS = new Set(['<', '>', '>>', '>|', '>&', '<&', '<>']);
/** Reserved words (and the subshell parenthesis) that open compound commands. */
const COMPOUND = new Set(['if', 'then', 'else', 'elif', 'fi', 'for', 'while', 'until', 'do', 'done', 'case', 'esac', '{', '}', '(']);

export class Parser {
  private readonly lexer: Lexer;
  private tok: Token;

  constructor(src: string, firstLine = 1) {
    this.lexer = new Lexer(src, firstLine);
    // Lex nothing yet: errors must come from next(), where the shell catches them.
    this.tok = { t: 'newline', line: firstLine };
  }

  /** The next complete command (one input line, possibly continued), or null at EOF. */
  next(): AndOr[] | null {
    while (this.tok.t === 'newline') this.advance();
    if (this.tok.t === 'eof') return null;
    const list: AndOr[] = [];
    for (;;) {
      const ao = this.andOr();
      list.push(ao);
      const t = this.tok;
      const sep = t.t === 'op' && (t.op === ';' || t.op === '&');
      if (sep) {
        ao.background = t.op === '&';
        this.advance();
      }
      // Stop at the newline without lexing past it: this command runs first.
      if (this.atLineEnd()) return list;
      if (!sep) this.unexpected();
    }
  }

  private atLineEnd(): boolean {
    return this.tok.t === 'newline' || this.tok.t === 'eof';
  }

  private advance(): void {
    this.tok = this.lexer.next();
  }

  private andOr(): AndOr {
    const ao: AndOr = { first: this.pipeline(), rest: [], background: false };
    for (;;) {
      const t = this.tok;
      if (t.t !== 'op' || (t.op !== '&&' && t.op !== '||')) return ao;
      this.advance();
      this.linebreak();
      ao.rest.push({ op: t.op, pipeline: this.pipeline() });
    }
  }

  private pipeline(): Pipeline {
    let negate = false;
    const t = this.tok;
    if (t.t === 'word' && plainWord(t.w) === '!') {
      negate = true;
      this.advance();
    }
    const cmds = [this.simple()];
    while (this.tok.t === 'op' && this.tok.op === '|') {
      this.advance();
      this.linebreak();
      cmds.push(this.simple());
    }
    return { negate, cmds };
  }

  private simple(): SimpleCommand {
    const first = this.tok;
    // Say so plainly rather than run `for` as a command that is not found.
    const kw = first.t === 'word' ? plainWord(first.w) : first.t === 'op' && first.op === '(' ? '(' : undefined;
    if (kw !== undefined && COMPOUND.has(kw)) throw new ShellSyntaxError(`${kw}: compound commands are not supported`, first.line, true);
    const cmd: SimpleCommand = { assigns: [], words: [], redirects: [], line: this.tok.line };
    for (;;) {
      const t = this.tok;
      if (t.t === 'word') {
        const a = cmd.words.length ? null : assignment(t.w);
        if (a) cmd.assigns.push(a);
        else cmd.words.push(t.w);
        this.advance();
      } else if (t.t === 'op' && REDIRECTS.has(t.op)) {
        this.advance();
        const target = this.tok;
        if (target.t !== 'word') {
          if (target.t === 'op' && REDIRECTS.has(target.op)) throw new ShellSyntaxError('redirection unexpected', target.line);
          this.unexpected();
        }
        if ((t.op === '>&' || t.op === '<&') && !isFdWord(target.w)) throw new ShellSyntaxError('Bad fd number', target.line);
        const op = t.op as Redirect['op'];
        cmd.redirects.push({ fd: t.fd ?? (op[0] === '<' ? 0 : 1), op, target: target.w });
        this.advance();
      } else break;
    }
    if (!cmd.assigns.length && !cmd.words.length && !cmd.redirects.length) this.unexpected();
    return cmd;
  }

  private linebreak(): void {
    while (this.tok.t === 'newline') this.advance();
  }

  private unexpected(): never {
    const t = this.tok;
    const what = t.t === 'eof' ? 'end of file' : t.t === 'newline' ? 'newline' : t.t === 'op' ? `"${t.op}"` : `"${wordText(t.w)}"`;
    throw new ShellSyntaxError(`${what} unexpected`, t.line);
  }
}

/** `NAME=value` with an unquoted NAME= prefix. */
function assignment(w: Word): { name: string; value: Word } | null {
  const p = w.parts[0];
  if (p?.k !== 'lit' || p.q) return null;
  const m = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(p.s);
  if (!m) return null;
  const rest = p.s.slice(m[0].length);
  const parts = rest ? [{ ...p, s: rest }, ...w.parts.slice(1)] : w.parts.slice(1);
  return { name: m[1], value: { parts } };
}

function isFdWord(w: Word): boolean {
  const t = wordText(w);
  return /^(\d+|-)$/.test(t);
}

/** A word's literal text, ignoring expansions (for messages and fd numbers). */
function wordText(w: Word): string {
  return w.parts.map((p) => (p.k === 'lit' ? p.s : '')).join('');
}

/** The text of a word made of one unquoted literal (a reserved word candidate). */
function plainWord(w: Word): string | undefined {
  const p = w.parts[0];
  return w.parts.length === 1 && p.k === 'lit' && !p.q ? p.s : undefined;
}
