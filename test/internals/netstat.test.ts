// netstat -s against net-tools 2.10 on the reference kernel: the fixtures
// are /proc/net/snmp and /proc/net/netstat of two namespaces and what
// `netstat -s`, `-su`, `-st`, `-sw`, `-stu` printed from them.
import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { netstat_s_text } from '../../core/userland/tools/netstat.js';
import { bootLab, pairLab } from '../support/lab.js';

const fx = (f: string) => readFileSync(new URL(`./fixtures/${f}`, import.meta.url), 'utf8');

describe('netstat -s prints what net-tools prints', () => {
  for (const ns of ['a', 'b'])
    for (const opt of ['s', 'su', 'st', 'sw', 'stu']) {
      test(`${ns}: netstat -${opt}`, () => {
        const all = opt === 's';
        const flags = { tcp: all || opt.includes('t'), udp: all || opt.includes('u'), raw: all || opt.includes('w'), sctp: all };
        const text = netstat_s_text(fx(`netstat-${ns}.snmp`), flags) + netstat_s_text(fx(`netstat-${ns}.netstat`), flags);
        expect(text).toBe(fx(`netstat-${ns}.${opt}.txt`));
      });
    }
});

describe('netstat on a host', () => {
  test('netstat -su: the Udp line as sentences; IcmpMsg has no table, so it always prints', () => {
    const r = bootLab(pairLab());
    r.runCommand('a', 'echo hi | nc -u -w 1 10.0.0.2 9');
    const s = r.runCommand('b', 'netstat -su');
    expect(s.exit).toBe(0);
    expect(s.stdout).toMatch(/^IcmpMsg:\n    OutType3: 1\nUdp:\n    0 packets received\n    1 packets to unknown port received\n    0 packet receive errors\n    0 packets sent\n    0 receive buffer errors\n    0 send buffer errors\nUdpLite:\nIpExt:\n/);
  });

  test('other modes are refused clearly', () => {
    const r = bootLab(pairLab());
    expect(r.runCommand('a', 'netstat -tn')).toMatchObject({ exit: 1, stderr: expect.stringContaining('statistics mode') });
  });
});
