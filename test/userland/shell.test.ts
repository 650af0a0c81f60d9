import { describe, expect, test } from 'vitest';
import { NSEC_PER_SEC } from '../../core/sim/engine.js';
import type { Program } from '../../core/userland/process.js';
import { ShellSession } from '../../core/userland/runner.js';
import { makeHost } from './harness.js';

/** Writes "y" every 100 ms until interrupted (SIGPIPE or Ctrl-C). */
const yes: Program = function* (p) {
  for (;;) {
    p.stdout.write('y\n');
    yield { op: 'sleep', ns: 100e6 };
    if (p.interrupted) return 130;
  }
};

/** Catches SIGINT like ping: prints a summary and exits 0. */
const catcher: Program = function* (p) {
  yield { op: 'sleep', ns: 100 * NSEC_PER_SEC };
  p.stdout.write('summary\n');
  return 0;
};

describe('words and quoting', () => {
  // Expected output checked against dash 0.5.12.
  test.each([
    [`echo 'a  b' "c  $X" d\\ e`, 'a  b c   d e\n'],
    [`echo "a\\"b\\\\c\\$d\\n"`, 'a"b'], // echo stops at \c
    [`echo 'it''s' "'" '"'`, `its ' "\n`],
    [`X="a  b"; echo $X; echo "$X"`, 'a b\na  b\n'],
    [`X=a; echo \${X}b $Xb "$X"b`, 'ab ab\n'],
    [`echo a#b #c`, 'a#b\n'],
    [`echo "$UNSET" x; echo $UNSET x`, ' x\nx\n'],
    [`echo a'b'"c"d "" e`, 'abcd  e\n'],
    [`echo $ "$" \\$X`, '$ $ $X\n'],
    ['echo a\\\nb', 'ab\n'],
    [`echo $(echo a   b)x "$(printf 'a  b\\n\\n')"`, 'a bx a  b\n'],
    ['echo `echo q`', 'q\n'],
    [`X=1 Y=2; echo $X$Y; X=3 true; echo $X`, '12\n1\n'],
    [`echo $10 $#`, '0 0\n'],
  ])('%s', (line, out) => {
    expect(makeHost().run(line)).toMatchObject({ out, err: '', code: 0 });
  });
});

describe('status and lists', () => {
  test('$? is the last status', () => {
    expect(makeHost().run('false; echo $?; echo $?').out).toBe('1\n0\n');
  });

  test('&& and || short-circuit left to right', () => {
    const h = makeHost();
    expect(h.run('false && echo a || echo b').out).toBe('b\n');
    expect(h.run('true || echo a && echo b').out).toBe('b\n');
    expect(h.run('false && echo no; echo $?').out).toBe('1\n');
    expect(h.run('true && false || echo c').out).toBe('c\n');
    expect(h.run('! false && echo neg').out).toBe('neg\n');
  });

  test('exit', () => {
    const h = makeHost();
    expect(h.run('exit 3; echo no')).toMatchObject({ out: '', code: 3 });
    expect(h.run('false; exit').code).toBe(1);
    expect(h.run('exit 300').code).toBe(44);
    expect(h.run('exit foo; echo no')).toMatchObject({ out: '', err: 'sh: 1: exit: Illegal number: foo\n', code: 2 });
    expect(h.run('exit 3 | cat; echo $?').out).toBe('0\n');
  });

  test('command substitution sets $? for assignments', () => {
    expect(makeHost().run('X=$(exit 3); echo $?').out).toBe('3\n');
  });
});

describe('pipelines', () => {
  test('data flows and the status is the last command', () => {
    const h = makeHost();
    expect(h.run("printf 'a\\nb\\nc\\n' | grep -v b | wc -l").out).toBe('2\n');
    expect(h.run('false | true; echo $?').out).toBe('0\n');
    expect(h.run('true | false; echo $?').out).toBe('1\n');
  });

  test('EOF reaches the reader once every writer exited, nested shells included', () => {
    const h = makeHost();
    const r = h.run("sh -c 'echo a; sleep 1; echo b' | cat");
    expect(r).toMatchObject({ out: 'a\nb\n', code: 0, ns: NSEC_PER_SEC });
  });

  test('cat waits on the pipe until the writer is done', () => {
    const h = makeHost();
    const r = h.start('sleep 2 | cat; echo done');
    h.engine.runUntil(NSEC_PER_SEC);
    expect(r.task.exitCode).toBeNull();
    expect(h.finish(r)).toMatchObject({ out: 'done\n', ns: 2 * NSEC_PER_SEC });
  });

  test('a writer whose reader exited gets SIGPIPE', () => {
    const h = makeHost({ yes });
    const r = h.run('yes | head -n 3; echo $?');
    expect(r).toMatchObject({ out: 'y\ny\ny\n0\n', err: '' });
    expect(r.ns).toBe(300e6); // the fourth write found the pipe broken
    expect(h.sched.tasks.size).toBe(0);
  });

  test('grep -q ends an endless writer', () => {
    const h = makeHost({ yes });
    expect(h.run('yes | grep -q y && echo found').out).toBe('found\n');
  });
});

describe('virtual time and background jobs', () => {
  test('sleep advances virtual time exactly', () => {
    expect(makeHost().run('sleep 0.5; echo x')).toEqual({ out: 'x\n', err: '', code: 0, ns: 500_000_000 });
    expect(makeHost().run('sleep 1m').ns).toBe(60 * NSEC_PER_SEC);
  });

  test('& runs concurrently; the line ends without waiting, output keeps coming', () => {
    const h = makeHost();
    const r = h.start('sleep 1 && echo bg & echo fg');
    expect(h.finish(r)).toMatchObject({ out: 'fg\n', ns: 0 });
    h.engine.runUntil(Infinity);
    expect(r.out.text).toBe('fg\nbg\n');
    expect(h.engine.now).toBe(NSEC_PER_SEC);
  });

  test('$! and wait', () => {
    const h = makeHost();
    const r = h.run('sleep 1 & echo $!; wait; echo done');
    expect(r.out).toMatch(/^\d+\ndone\n$/);
    expect(r.ns).toBe(NSEC_PER_SEC);
  });

  test('`cmd &> f` is `cmd &` then `> f`, as in dash', () => {
    const h = makeHost();
    const r = h.start('echo a &> /tmp/f; echo $?');
    h.finish(r);
    h.engine.runUntil(Infinity);
    expect(r.out.text).toBe('0\na\n');
    expect(h.vfs.files.get('/tmp/f')).toBe('');
  });
});

describe('redirections', () => {
  test('>, >>, < and 2>&1 go through the Vfs', () => {
    const h = makeHost();
    expect(h.run('echo one > /tmp/f; echo two >> /tmp/f; cat < /tmp/f').out).toBe('one\ntwo\n');
    expect(h.run('echo again > /tmp/f; cat /tmp/f').out).toBe('again\n');
    expect(h.run('cat /nope 2> /tmp/e; echo $?').out).toBe('1\n');
    expect(h.vfs.files.get('/tmp/e')).toBe('cat: /nope: No such file or directory\n');
    expect(h.run('cat /nope > /tmp/o 2>&1').err).toBe('');
    expect(h.vfs.files.get('/tmp/o')).toBe('cat: /nope: No such file or directory\n');
    expect(h.run('cat /nope 2>&1 > /dev/null')).toMatchObject({ out: 'cat: /nope: No such file or directory\n', err: '' });
    expect(h.run('echo a >&2')).toMatchObject({ out: '', err: 'a\n' });
    expect(h.run('echo hidden > /dev/null')).toMatchObject({ out: '', err: '', code: 0 });
    expect(h.run('> /tmp/empty').code).toBe(0);
    expect(h.vfs.files.get('/tmp/empty')).toBe('');
  });

  test('errors as dash prints them', () => {
    const h = makeHost();
    expect(h.run('echo x > /nope/x; echo $?')).toMatchObject({ out: '2\n', err: 'sh: 1: cannot create /nope/x: Directory nonexistent\n' });
    expect(h.run('echo x > /tmp')).toMatchObject({ err: 'sh: 1: cannot create /tmp: Is a directory\n', code: 2 });
    expect(h.run('cat < /nope; echo $?')).toMatchObject({ out: '2\n', err: 'sh: 1: cannot open /nope: No such file\n' });
    expect(h.run('echo a >&5')).toMatchObject({ err: 'sh: 1: 5: Bad file descriptor\n', code: 2 });
    // A special builtin's redirection error ends a non-interactive shell.
    expect(h.run(': > /nope/x; echo no')).toMatchObject({ out: '', code: 2 });
  });

  test('a sysctl-like file sees exactly the writes, never an empty value', () => {
    const h = makeHost();
    expect(h.run('echo 1 > /proc/sys/val')).toMatchObject({ err: '', code: 0 });
    expect(h.vfs.files.get('/proc/sys/val')).toBe('1\n');
    expect(h.run(': > /proc/sys/val; true > /proc/sys/val')).toMatchObject({ err: '', code: 0 });
    expect(h.vfs.files.get('/proc/sys/val')).toBe('1\n');
    expect(h.run('echo x > /proc/sys/val')).toMatchObject({ err: 'sh: 1: echo: echo: I/O error\n', code: 1 });
  });

  test('`>` truncates an existing file even when nothing is written', () => {
    const h = makeHost();
    h.vfs.files.set('/tmp/f', 'old\n');
    expect(h.run('true > /tmp/f').code).toBe(0);
    expect(h.vfs.files.get('/tmp/f')).toBe('');
    h.vfs.files.set('/tmp/f', 'old\n');
    expect(h.run('printf a >> /tmp/f; echo b >> /tmp/f').code).toBe(0);
    expect(h.vfs.files.get('/tmp/f')).toBe('old\nab\n');
  });

  test('failed writes are reported after the command', () => {
    const h = makeHost();
    expect(h.run('echo 5 > /proc/sys/ro')).toMatchObject({ err: 'sh: 1: echo: echo: I/O error\n', code: 1 });
    expect(h.run('cat /tmp/x > /proc/sys/ro', {})).toMatchObject({ code: 1 });
    h.vfs.files.set('/tmp/x', 'data\n');
    expect(h.run('cat /tmp/x > /proc/sys/ro')).toMatchObject({ err: 'cat: write error: Invalid argument\n', code: 1 });
    expect(h.run('echo a >&-')).toMatchObject({ err: 'sh: 1: echo: echo: I/O error\n', code: 1 });
  });

  test('not found goes to the redirected stderr', () => {
    expect(makeHost().run('foo 2>/dev/null; echo $?')).toMatchObject({ out: '127\n', err: '' });
  });
});

describe('sh', () => {
  test('sh -c with $0 and arguments', () => {
    const h = makeHost();
    expect(h.run(`sh -c 'echo $0 $1 $#' a b`).out).toBe('a b 1\n');
    expect(h.run(`sh -c 'exit 3'; echo $?`).out).toBe('3\n');
    expect(h.run('sh -c')).toMatchObject({ err: 'sh: 0: -c requires an argument\n', code: 2 });
  });

  test('scripts from stdin and from files', () => {
    const h = makeHost();
    expect(h.run(`echo 'echo hi; echo $?' | sh`).out).toBe('hi\n0\n');
    h.vfs.files.set('/tmp/s.sh', 'echo one\nfoo\n');
    expect(h.run('sh /tmp/s.sh a')).toMatchObject({ out: 'one\n', err: '/tmp/s.sh: 2: foo: not found\n', code: 127 });
    expect(h.run('sh /nope')).toMatchObject({ err: 'sh: 0: cannot open /nope: No such file\n', code: 2 });
  });

  test('variables are copied into subshells, not back', () => {
    expect(makeHost().run(`X=1; sh -c 'echo "[$X]"'; echo $(X=2; echo $X) $X`).out).toBe('[]\n2 1\n');
  });

  test('/bin/ and /usr/sbin/ paths name the same programs', () => {
    const h = makeHost();
    expect(h.run('/bin/echo a').out).toBe('a\n');
    expect(h.run('./echo a')).toMatchObject({ err: 'sh: 1: ./echo: not found\n', code: 127 });
  });
});

describe('errors', () => {
  test('not found: dash message, 127, the line goes on', () => {
    expect(makeHost().run('foo; echo $?')).toEqual({ out: '127\n', err: 'sh: 1: foo: not found\n', code: 0, ns: 0 });
    expect(makeHost().run('echo a\n\nfoo')).toMatchObject({ out: 'a\n', err: 'sh: 3: foo: not found\n', code: 127 });
  });

  // Messages and line numbers checked against dash.
  test.each([
    [`echo 'abc`, 'sh: 1: Syntax error: Unterminated quoted string\n', ''],
    [`echo "abc`, 'sh: 1: Syntax error: Unterminated quoted string\n', ''],
    [`'abc`, 'sh: 1: Syntax error: Unterminated quoted string\n', ''],
    ['echo a\necho "b\nc', 'sh: 3: Syntax error: Unterminated quoted string\n', 'a\n'],
    ['echo a |', 'sh: 1: Syntax error: end of file unexpected\n', ''],
    ['echo a\necho b |\n\n', 'sh: 4: Syntax error: end of file unexpected\n', 'a\n'],
    ['| echo', 'sh: 1: Syntax error: "|" unexpected\n', ''],
    ['echo a ;;', 'sh: 1: Syntax error: ";;" unexpected\n', ''],
    ['echo a & ; echo b', 'sh: 1: Syntax error: ";" unexpected\n', ''],
    ['&& echo', 'sh: 1: Syntax error: "&&" unexpected\n', ''],
    ['echo > > x', 'sh: 1: Syntax error: redirection unexpected\n', ''],
    ['echo >&x', 'sh: 1: Syntax error: Bad fd number\n', ''],
    ['echo a )', 'sh: 1: Syntax error: ")" unexpected\n', ''],
    ['echo ${X', "sh: 1: Syntax error: Missing '}'\n", ''],
    ['echo ${X/a/b}', 'sh: 1: Bad substitution\n', ''],
  ])('%j', (line, err, out) => {
    expect(makeHost().run(line)).toMatchObject({ out, err, code: 2 });
  });
});

describe('Ctrl-C', () => {
  test('interrupting `sleep 10` gives 130 at once and ends the line', () => {
    const h = makeHost();
    const r = h.start('sleep 10; echo x');
    h.engine.runUntil(NSEC_PER_SEC);
    h.sched.interrupt(r.task);
    expect(h.finish(r)).toEqual({ out: '', err: '', code: 130, ns: NSEC_PER_SEC });
  });

  test('SIGINT reaches every command of the foreground job', () => {
    const h = makeHost();
    const r = h.start('sleep 10 | sleep 20');
    h.engine.runUntil(NSEC_PER_SEC);
    h.sched.interrupt(r.task);
    expect(h.finish(r)).toMatchObject({ code: 130, ns: NSEC_PER_SEC });
    expect(h.sched.tasks.size).toBe(0);
  });

  test('background jobs do not get it', () => {
    const h = makeHost();
    const r = h.start('sleep 5 & sleep 10');
    h.engine.runUntil(NSEC_PER_SEC);
    h.sched.interrupt(r.task);
    expect(h.finish(r).code).toBe(130);
    expect(h.sched.tasks.size).toBe(2); // the background subshell and its sleep
    while (h.sched.tasks.size) h.engine.step();
    expect(h.engine.now).toBe(5 * NSEC_PER_SEC);
  });

  test('nested shells pass it down and die of it', () => {
    const h = makeHost();
    const r = h.start(`sh -c 'sleep 10; echo in'; echo out`);
    h.engine.runUntil(NSEC_PER_SEC);
    h.sched.interrupt(r.task);
    expect(h.finish(r)).toMatchObject({ out: '', code: 130 });
  });

  test('a program that catches SIGINT: interactive line goes on, sh -c dies', () => {
    const h = makeHost({ catcher });
    const session = new ShellSession();
    let r = h.start('catcher; echo after', { session });
    h.sched.interrupt(r.task);
    expect(h.finish(r)).toMatchObject({ out: 'summary\nafter\n', code: 0 });

    r = h.start('catcher; echo after');
    h.sched.interrupt(r.task);
    expect(h.finish(r)).toMatchObject({ out: 'summary\n', code: 130 });
  });

  test('an interactive session remembers $? = 130', () => {
    const h = makeHost();
    const session = new ShellSession();
    const r = h.start('sleep 10; echo x', { session });
    h.sched.interrupt(r.task);
    expect(h.finish(r).code).toBe(130);
    expect(h.run('echo $?', { session }).out).toBe('130\n');
  });
});

describe('interactive session', () => {
  test('variables, $?, line numbers and exit persist across lines', () => {
    const h = makeHost();
    const session = new ShellSession();
    expect(h.run('X=3; false', { session }).code).toBe(1);
    expect(h.run('echo $X $?', { session }).out).toBe('3 1\n');
    expect(h.run('foo', { session }).err).toBe('sh: 3: foo: not found\n');
    expect(h.run(`echo "a\nb"; foo`, { session }).err).toBe('sh: 5: foo: not found\n');
    expect(h.run(`echo 'x`, { session })).toMatchObject({ err: 'sh: 6: Syntax error: Unterminated quoted string\n', code: 2 });
    expect(session.exitCode).toBeNull();
    expect(h.run('exit 4', { session }).code).toBe(4);
    expect(session.exitCode).toBe(4);
  });

  test('wait on a later line waits for earlier background jobs', () => {
    const h = makeHost();
    const session = new ShellSession();
    h.run('sleep 2 &', { session });
    expect(h.run('wait; echo done', { session })).toMatchObject({ out: 'done\n', ns: 2 * NSEC_PER_SEC });
  });
});
