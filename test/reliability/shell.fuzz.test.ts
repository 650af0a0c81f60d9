// No input to the shell can crash a host: random lines (control characters,
// huge lines, unbalanced quotes, deep `sh -c` and `$(...)` nesting, real
// commands with wrong arguments) go to the shell of a booted host. No
// exception escapes, no program crashes (Scheduler.crashes stays empty), and
// the host still answers `echo ok` afterwards.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { bootLab, pairLab } from '../support/lab.js';

const RUNS = Number(process.env.SHELL_FUZZ_RUNS ?? 150);
/** Virtual time one line may take (a `ping` without -c would run forever). */
const LINE_TIMEOUT_NS = 3e9;

const WORDS = [
  'ip', 'ping', 'traceroute', 'sysctl', 'nc', 'ss', 'cat', 'echo', 'grep', 'head', 'wc', 'sleep', 'sh', 'tcpdump', 'true', 'false',
  'exit', 'cd', 'export', 'unset', 'wait', 'kill', 'jobs', 'read', 'set', 'shift', 'eval', 'exec', '.', ':',
  'addr', 'add', 'del', 'link', 'set', 'route', 'neigh', 'show', 'get', 'dev', 'eth0', 'lo', 'up', 'down', 'mtu', 'via', 'default',
  '-c', '-w', '-W', '-i', '-n', '-q', '-s', '-l', '-u', '-e', '-4', '-6', '-a', '-t', '-z', '-v', '--', '-', '--help', '-V',
  '10.0.0.1', '10.0.0.2', '10.0.0.0/24', '255.255.255.255', '0', '1', '-1', '65535', '99999999999999999999', '0x10', '1e3', 'nan',
  'net.ipv4.ip_forward', 'net.ipv4.ip_forward=1', 'net.core.somaxconn=-5', 'kernel.hostname', '/proc/net/snmp', '/proc/net/dev',
  '/proc/self/fd/0', '/dev/null', '/etc/hosts', '/', '.', '..', '*', '?', '~', '$HOME', '$?', '$!', '$$', '$0', '$#', '$@', '${X}', '${',
];
const OPS = [' ', ' ', ' ', ' | ', ' && ', ' || ', ' ; ', ' & ', ' > /tmp/x ', ' 2>&1 ', ' < /proc/net/snmp ', ' >> ', ' 2> ', ' <&- ', ' >&3 '];
const NASTY = ['"', "'", '`', '\\', '$(', ')', '(', '{', '}', '<<', '<<EOF', '\n', '\r', '\t', '\x00', '\x03', '\x04', '\x1b[A', '\x7f', '\u2028', '\ud800', '#', '=', '$((1+', '&&&', ';;', '||||', '!'];

const word = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...WORDS) },
  { weight: 2, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
);

const commandish = fc.array(fc.tuple(word, fc.constantFrom(...OPS)), { minLength: 1, maxLength: 12 }).map((ws) => ws.map(([w, o]) => w + o).join(''));

/** `sh -c '...'` n levels deep, quotes escaped the way a person would (the
 * line grows fourfold with each level, so a few levels are deep enough). */
const nestedSh = fc.tuple(fc.integer({ min: 1, max: 6 }), commandish).map(([n, inner]) => {
  let s = inner;
  for (let i = 0; i < n; i++) s = `sh -c '${s.replace(/'/g, `'\\''`)}'`;
  return s;
});

const nestedSubst = fc.tuple(fc.integer({ min: 1, max: 1500 }), fc.constantFrom('$(', '`', '"$(', '${')).map(([n, open]) => `echo ${open.repeat(n)}echo x${')'.repeat(n)}`);

const line = fc.oneof(
  { weight: 5, arbitrary: commandish },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  { weight: 1, arbitrary: nestedSh },
  { weight: 1, arbitrary: nestedSubst },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('echo ', 'ip addr add ', 'ping -c 1 ', "echo '", 'echo "', '# ', 'sysctl -w x='), fc.integer({ min: 1e4, max: 3e5 })).map(([p, n]) => p + 'A'.repeat(n)) },
);

describe('the shell survives any input', () => {
  test(`${RUNS} batches of random lines on a booted host`, () => {
    const r = bootLab(pairLab());
    const host = r.host('a');
    let lines = 0;
    const started = performance.now();
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 5 }), (batch) => {
        for (const l of batch) {
          const res = r.runCommand('a', l, LINE_TIMEOUT_NS);
          expect(typeof res.exit).toBe('number');
          lines++;
        }
        expect(host.sched.crashes.map((c) => `${c.argv.join(' ')}: ${c.err}`)).toEqual([]);
        const ok = r.runCommand('a', 'echo ok', LINE_TIMEOUT_NS);
        expect(ok).toEqual({ exit: 0, stdout: 'ok\n', stderr: '' });
      }),
      { numRuns: RUNS, seed: Number(process.env.FUZZ_SEED ?? 0x5e11), endOnFailure: true },
    );
    console.log(`shell fuzz: ${lines} lines in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    // The host still forwards packets too.
    expect(r.runCommand('a', 'ping -c 1 -W 1 10.0.0.2').exit).toBe(0);
  });
});
