import { describe, expect, it } from 'vitest';
import { LineEditor, type EditorEvent } from '../../renderer/src/term/line-editor.js';

const UP = '\x1b[A';
const DOWN = '\x1b[B';
const LEFT = '\x1b[D';
const RIGHT = '\x1b[C';

function submitted(evs: EditorEvent[]): string[] {
  return evs.flatMap((e) => (e.kind === 'submit' ? [e.line] : []));
}

describe('LineEditor', () => {
  it('types, moves the cursor, deletes and submits', () => {
    const ed = new LineEditor('$ ');
    ed.feed('pnig');
    ed.feed(LEFT + LEFT + '\x7f'); // "p|ig" after deleting n
    expect(ed.buffer).toBe('pig');
    ed.feed(RIGHT + 'n'); // "pin|g"
    expect(ed.buffer).toBe('ping');
    ed.feed('\x05 -c 1'); // Ctrl-E then type
    expect(ed.buffer).toBe('ping -c 1');
    expect(submitted(ed.feed('\r'))).toEqual(['ping -c 1']);
    expect(ed.buffer).toBe('');
  });

  it('echoes a redraw of the line with the cursor in place', () => {
    const ed = new LineEditor('$ ');
    const evs = ed.feed('ab' + LEFT);
    const last = evs[evs.length - 1];
    expect(last).toEqual({ kind: 'echo', out: '\r$ ab\x1b[K\x1b[1D' });
  });

  it('walks history with up and down, keeping the draft', () => {
    const ed = new LineEditor('$ ');
    ed.feed('ip addr\r');
    ed.feed('ip route\r');
    ed.feed('ip route\r'); // repeated line kept once
    expect(ed.historyList).toEqual(['ip addr', 'ip route']);
    ed.feed('draft');
    ed.feed(UP);
    expect(ed.buffer).toBe('ip route');
    ed.feed(UP);
    expect(ed.buffer).toBe('ip addr');
    ed.feed(UP);
    expect(ed.buffer).toBe('ip addr');
    ed.feed(DOWN + DOWN);
    expect(ed.buffer).toBe('draft');
  });

  it('Ctrl-C drops the line', () => {
    const ed = new LineEditor('$ ');
    const evs = ed.feed('ping 10.0.0.1\x03');
    expect(evs[evs.length - 1]).toEqual({ kind: 'interrupt', out: '^C\r\n' });
    expect(ed.buffer).toBe('');
    expect(ed.historyList).toEqual([]);
  });

  it('completes command names', () => {
    const ed = new LineEditor('$ ');
    ed.feed('tr\t');
    expect(ed.buffer).toBe('traceroute ');
    ed.reset();
    ed.feed('s\t'); // ss, sysctl: list them
    expect(ed.buffer).toBe('s');
    const evs = ed.feed('y\t');
    expect(ed.buffer).toBe('sysctl ');
    expect(evs).toHaveLength(2); // the 'y', then the completion
    ed.reset();
    expect(ed.feed('s\t').at(-1)).toMatchObject({ kind: 'echo', out: expect.stringContaining('ss  sysctl') });
    ed.reset();
    ed.feed('ping 10\t'); // not the first word: nothing
    expect(ed.buffer).toBe('ping 10');
  });

  it('kills words and lines', () => {
    const ed = new LineEditor('$ ');
    ed.feed('ip route show\x17');
    expect(ed.buffer).toBe('ip route ');
    ed.feed('\x01\x0b');
    expect(ed.buffer).toBe('');
    ed.feed('abc\x15');
    expect(ed.buffer).toBe('');
  });

  it('keeps pasted text after a newline for the next prompt', () => {
    const ed = new LineEditor('$ ');
    const evs = ed.feed('echo a\recho b\r');
    expect(submitted(evs)).toEqual(['echo a']);
    ed.reset();
    expect(submitted(ed.feed(ed.takePending()))).toEqual(['echo b']);
  });
});
