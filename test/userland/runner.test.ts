import { describe, expect, test } from 'vitest';
import { NSEC_PER_SEC } from '../../core/sim/engine.js';
import { Pipe, StringOutput, nullInput, type Program } from '../../core/userland/process.js';
import { makeHost } from './harness.js';

describe('ProcessTable', () => {
  test('spawn builds a Proc: pid, argv, lookup, now, vfs, sys', () => {
    const h = makeHost();
    let seen: unknown;
    const probe: Program = function* (p) {
      yield { op: 'sleep', ns: 5 };
      seen = { argv: p.argv, pid: p.pid, now: p.now(), echo: p.lookup('echo') !== undefined, sys: p.sys, file: p.vfs.read('/dev/null') };
      return 7;
    };
    const out = new StringOutput();
    const t = h.table.spawn(['probe', 'x'], { stdin: nullInput(), stdout: out, stderr: out }, probe);
    h.engine.runUntil(Infinity);
    expect(t.exitCode).toBe(7);
    expect(seen).toEqual({ argv: ['probe', 'x'], pid: t.pid, now: 5, echo: true, sys: null, file: '' });
  });

  test('spawn without a program looks argv[0] up; unknown names exit 127', () => {
    const h = makeHost();
    const out = new StringOutput();
    expect(h.table.spawn(['echo', 'hi'], { stdin: nullInput(), stdout: out, stderr: out }).exitCode).toBe(0);
    expect(h.table.spawn(['nope'], { stdin: nullInput(), stdout: out, stderr: out }).exitCode).toBe(127);
    expect(out.text).toBe('hi\nnope: not found\n');
  });

  test('interrupted reads the task flag', () => {
    const h = makeHost();
    const flags: boolean[] = [];
    const prog: Program = function* (p) {
      flags.push(p.interrupted);
      yield { op: 'sleep', ns: NSEC_PER_SEC };
      flags.push(p.interrupted);
      return p.interrupted ? 130 : 0;
    };
    const t = h.table.spawn(['x'], { stdin: nullInput(), stdout: new StringOutput(), stderr: new StringOutput() }, prog);
    h.sched.interrupt(t);
    h.engine.runUntil(Infinity);
    expect(flags).toEqual([false, true]);
    expect(t.exitCode).toBe(130);
  });

  test('pipe ends are duplicated for the child: EOF once the caller closes its own too', () => {
    const h = makeHost();
    const pipe = new Pipe();
    const writer = h.table.spawn(['echo', 'a'], { stdin: nullInput(), stdout: pipe, stderr: pipe });
    expect(writer.exitCode).toBe(0);
    expect(pipe.read()).toBe('a\n');
    expect(pipe.read()).toBe(''); // the caller's reference keeps it open
    pipe.close();
    expect(pipe.read()).toBeNull();
  });

  test('a background job holding a pipe keeps the reader waiting', () => {
    const h = makeHost();
    expect(h.run(`sh -c 'sleep 1 && echo late & echo early' | cat`)).toMatchObject({ out: 'early\nlate\n', ns: NSEC_PER_SEC });
  });

  test('runLine runs the line as sh -c', () => {
    const h = makeHost();
    const r = h.start('echo $0');
    expect(r.task.argv).toEqual(['sh', '-c', 'echo $0']);
    expect(h.finish(r).out).toBe('sh\n');
  });
});
