// A boot command that fails stops the lab: LabRunner.boot throws a BootError
// naming the host, the command (with its place in the exec list) and what the
// tool printed; later boot commands and checks never run.
import { describe, expect, test } from 'vitest';
import { parseLab } from '../../core/lab/parse.js';
import { BootError, LabRunner } from '../../core/runtime/lab_runner.js';

const LAB = `version: 1
hosts:
  a:
    exec:
      - ip addr add 10.0.0.1/24 dev eth0
      - ip route add 10.9.0.0/16 via 192.168.1.1
      - ip addr add 10.0.0.3/24 dev eth0
  b:
    exec:
      - ip addr add 10.0.0.2/24 dev eth0
links:
  - endpoints: [a:eth0, b:eth0]
`;

describe('boot failures', () => {
  test('BootError names the host, the command and the tool message', () => {
    const topo = parseLab(LAB, 'boot.lab.yaml');
    const r = new LabRunner(topo);
    let err: unknown;
    try {
      r.boot();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BootError);
    const b = err as BootError;
    expect([b.host, b.command, b.detail, b.index]).toEqual(['a', 'ip route add 10.9.0.0/16 via 192.168.1.1', 'Error: Nexthop has invalid gateway.', 1]);
    expect(topo.hosts[0].execPos![b.index]).toEqual({ line: 6, col: 9 });
    expect(b.message).toBe("a: boot command 'ip route add 10.9.0.0/16 via 192.168.1.1' failed: Error: Nexthop has invalid gateway.");
    // Nothing after the failing line ran: no 10.0.0.3 on a, nothing on b.
    expect(r.runCommand('a', 'ip -4 -br addr show dev eth0').stdout).toBe('eth0             UP             10.0.0.1/24 \n');
    expect(r.runCommand('b', 'ip -4 addr show dev eth0').stdout).not.toContain('inet ');
    expect(r.outstanding()).toEqual({ a: 0, b: 0 });
  });

  test('a command that does not exist fails like sh says', () => {
    const r = new LabRunner(parseLab(LAB.replace('ip route add 10.9.0.0/16 via 192.168.1.1', 'ipp link'), 'x.lab.yaml'));
    expect(() => r.boot()).toThrow("a: boot command 'ipp link' failed: sh: 1: ipp: not found");
  });
});
