import { describe, expect, test } from 'vitest';
import { posixToJs } from '../../core/userland/builtins/grep.js';
import { makeHost } from './harness.js';

const run = (line: string, stdin?: string) => makeHost().run(line, { stdin });

describe('echo (dash builtin)', () => {
  test.each([
    ['echo a  b', 'a b\n'],
    ['echo -n x; echo y', 'xy\n'],
    ['echo -n -n x', '-n x'],
    ['echo -e x', '-e x\n'],
    [`echo 'a\\tb\\101\\0101' '\\q'`, 'a\tbAA \\q\n'],
    [`echo 'a\\cb'; echo z`, 'az\n'],
    ['echo', '\n'],
  ])('%s', (line, out) => expect(run(line).out).toBe(out));
});

describe('printf', () => {
  test.each([
    [`printf '%s-%d\\n' a 3 b`, 'a-3\nb-0\n'],
    [`printf '%5s|%-3d|%03d|%x|%c\\n' ab 1 7 255 xyz`, '   ab|1  |007|ff|x\n'],
    [`printf '%%|%5.1s|\\n' abc`, '%|    a|\n'],
    [`printf '%s\\n'`, '\n'],
    [`printf 'a\\\\b\\n'`, 'a\\b\n'],
    [`printf '%b\\n' 'a\\tb'`, 'a\tb\n'],
    [`printf '%d %d\\n' 010 0x10`, '8 16\n'],
  ])('%s', (line, out) => expect(run(line)).toMatchObject({ out, err: '', code: 0 }));

  test('errors', () => {
    expect(run(`printf '%d\\n' abc`)).toMatchObject({ out: '0\n', err: 'sh: 1: printf: abc: expected numeric value\n', code: 1 });
    expect(run(`printf '%d\\n' 3.5`)).toMatchObject({ out: '3\n', err: 'sh: 1: printf: 3.5: not completely converted\n', code: 1 });
    expect(run('printf')).toMatchObject({ err: 'sh: 1: printf: usage: printf format [arg ...]\n', code: 2 });
    expect(run(`printf '%z'`)).toMatchObject({ err: 'sh: 1: printf: %z: invalid directive\n', code: 2 });
  });
});

describe('cat', () => {
  test('files, stdin and -', () => {
    const h = makeHost();
    h.vfs.files.set('/tmp/a', 'A\n');
    expect(h.run('cat /tmp/a - /tmp/a', { stdin: 'in\n' }).out).toBe('A\nin\nA\n');
    expect(h.run('cat', { stdin: 'x' }).out).toBe('x');
  });

  test('errors go on to the next file, exit 1', () => {
    const h = makeHost();
    h.vfs.files.set('/tmp/a', 'A\n');
    expect(h.run('cat /x /tmp/a /tmp')).toEqual({ out: 'A\n', err: 'cat: /x: No such file or directory\ncat: /tmp: Is a directory\n', code: 1, ns: 0 });
    expect(h.run('cat -z')).toMatchObject({ err: "cat: invalid option -- 'z'\nTry 'cat --help' for more information.\n", code: 1 });
  });
});

describe('sleep', () => {
  test('sums its operands', () => {
    expect(run('sleep 1 .5 0.25s').ns).toBe(1_750_000_000);
  });
  test.each([
    ['sleep', 'sleep: missing operand\n'],
    ['sleep 1x', 'sleep: invalid time interval ‘1x’\n'],
  ])('%s', (line, err) => {
    expect(run(line)).toMatchObject({ err: err + "Try 'sleep --help' for more information.\n", code: 1 });
  });
});

describe('true, false', () => {
  test('statuses', () => {
    expect(run('true').code).toBe(0);
    expect(run('false').code).toBe(1);
  });
});

describe('head', () => {
  const text = '1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12';
  test.each([
    ['head', '1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n'],
    ['head -n 2', '1\n2\n'],
    ['head -n2', '1\n2\n'],
    ['head -3', '1\n2\n3\n'],
    ['head -n 0', ''],
    ['head -n 20', text],
  ])('%s', (line, out) => expect(run(line, text).out).toBe(out));

  test('files and errors', () => {
    const h = makeHost();
    h.vfs.files.set('/tmp/a', 'a\nb\n');
    expect(h.run('head -n 1 /tmp/a /tmp/a').out).toBe('==> /tmp/a <==\na\n\n==> /tmp/a <==\na\n');
    expect(h.run('head -n')).toMatchObject({ err: "head: option requires an argument -- 'n'\nTry 'head --help' for more information.\n", code: 1 });
    expect(h.run('head -n x')).toMatchObject({ err: 'head: invalid number of lines: ‘x’\n', code: 1 });
    expect(h.run('head /x')).toMatchObject({ err: "head: cannot open '/x' for reading: No such file or directory\n", code: 1 });
  });
});

describe('wc', () => {
  test('counts and GNU padding', () => {
    const h = makeHost();
    h.vfs.files.set('/tmp/w', 'a b\nc\n');
    expect(h.run('wc -l', { stdin: 'a b\nc\n' }).out).toBe('2\n');
    expect(h.run('wc', { stdin: 'a b\nc\n' }).out).toBe('      2       3       6\n');
    expect(h.run('wc /tmp/w').out).toBe('2 3 6 /tmp/w\n');
    expect(h.run('wc -l /tmp/w /tmp/w').out).toBe(' 2 /tmp/w\n 2 /tmp/w\n 4 total\n');
    expect(h.run('wc -l /x')).toMatchObject({ err: 'wc: /x: No such file or directory\n', code: 1 });
  });
});

describe('grep', () => {
  const text = 'eth0: UP\nlo: UP\neth1: DOWN\n';
  test.each([
    ['grep eth', 'eth0: UP\neth1: DOWN\n', 0],
    ['grep -v eth', 'lo: UP\n', 0],
    ['grep -c UP', '2\n', 0],
    ['grep -i down', 'eth1: DOWN\n', 0],
    ['grep -n lo', '2:lo: UP\n', 0],
    ['grep -q lo', '', 0],
    ['grep nothing', '', 1],
    ['grep -c nothing', '0\n', 1],
    [`grep '^eth[0-9]: U'`, 'eth0: UP\n', 0],
    [`grep 'eth\\(0\\|1\\): D'`, 'eth1: DOWN\n', 0],
    [`grep -E 'eth(0|1): D'`, 'eth1: DOWN\n', 0],
    [`grep -F '.'`, '', 1],
    [`grep '[[:digit:]]:'`, 'eth0: UP\neth1: DOWN\n', 0],
    ['grep -w lo', 'lo: UP\n', 0],
    ['grep -x lo', '', 1],
    ['grep -e lo -e eth0', 'eth0: UP\nlo: UP\n', 0],
  ])('%s', (line, out, code) => expect(run(line, text)).toMatchObject({ out, err: '', code }));

  test('files: names as prefixes, errors give 2', () => {
    const h = makeHost();
    h.vfs.files.set('/tmp/a', 'x\ny\n');
    expect(h.run('grep y /tmp/a').out).toBe('y\n');
    expect(h.run('grep y /tmp/a /tmp/a').out).toBe('/tmp/a:y\n/tmp/a:y\n');
    expect(h.run('grep y /x /tmp/a')).toMatchObject({ out: '/tmp/a:y\n', err: 'grep: /x: No such file or directory\n', code: 2 });
    expect(h.run('grep')).toMatchObject({ err: "Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n", code: 2 });
    expect(h.run("grep '[a'")).toMatchObject({ err: 'grep: Unmatched [, [^, [:, [., or [=\n', code: 2 });
  });

  test('BRE and ERE translation', () => {
    expect(posixToJs('a+b?(c)|{2}', false)).toBe('a\\+b\\?\\(c\\)\\|\\{2\\}');
    expect(posixToJs('a\\+\\(b\\)\\{2\\}', false)).toBe('a+(b){2}');
    expect(posixToJs('*a^b$c$', false)).toBe('\\*a\\^b\\$c$');
    expect(posixToJs('[]a\\]', true)).toBe('[\\]a\\\\]');
    expect(posixToJs('\\<ip\\>', true)).toBe('\\bip\\b');
  });
});
