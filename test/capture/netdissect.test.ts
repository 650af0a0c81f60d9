// The printers against tcpdump 4.99 itself: fixtures/kernel.pcap holds real
// traffic recorded on the oracle machine's kernel (ARP, ICMP echo, errors,
// fragments, UDP, a TCP connection and a refused one; fixtures/record.sh),
// and kernel.*.txt what tcpdump printed for it. The simulator's tcpdump -r
// on the same bytes must print the same text.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseLab } from '../../core/lab/parse.js';
import { LabRunner } from '../../core/runtime/lab_runner.js';

const FIX = join(__dirname, 'fixtures');
const CASES: [string, string][] = [
  ['-n', 'kernel.n.txt'],
  ['-n -e', 'kernel.ne.txt'],
  ['-n -v', 'kernel.nv.txt'],
  ['-n -q -t', 'kernel.nqt.txt'],
  ['-tt', 'kernel.tt.txt'],
  ['-e', 'kernel.e.txt'],
];

describe('tcpdump -r of a capture from the real kernel', () => {
  const runner = new LabRunner(parseLab('version: 1\nhosts:\n  h: {}\n', 'one.lab.yaml'));
  runner.boot();
  runner.host('h').vfs.writeBytes('/tmp/kernel.pcap', new Uint8Array(readFileSync(join(FIX, 'kernel.pcap'))), false);
  for (const [flags, file] of CASES) {
    it(`tcpdump ${flags} prints what tcpdump 4.99 printed`, () => {
      const r = runner.runCommand('h', `tcpdump ${flags} -r /tmp/kernel.pcap`);
      expect(r.exit).toBe(0);
      expect(r.stderr).toBe('reading from file /tmp/kernel.pcap, link-type EN10MB (Ethernet), snapshot length 262144\n');
      expect(r.stdout).toBe(readFileSync(join(FIX, file), 'utf8'));
    });
  }
});
