// ethtool against the lab NIC: the formats and error texts of ethtool 6.1
// on Linux 6.18 (fixtures and strings recorded on the reference machine),
// and what each setting does to the device (queues, IRQs, rings, RSS table,
// features).
import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { bootLab } from '../support/lab.js';

const fx = (f: string) => readFileSync(new URL(`./fixtures/${f}`, import.meta.url), 'utf8');

const LAB = `version: 1
name: nic
hosts:
  a:
    cpus: 4
    nics:
      eth0: { queues: 4 }
    exec: []
  b:
    exec: []
links:
  - endpoints: [a:eth0, b:eth0]
`;

describe('ethtool output formats', () => {
  const r = bootLab(LAB);
  const run = (l: string) => r.runCommand('a', l);

  test('link settings print as a 10G virtual NIC does (veth on the reference kernel)', () => {
    expect(run('ethtool eth0')).toEqual({ exit: 0, stdout: fx('ethtool-veth-settings.txt'), stderr: '' });
    expect(run('ethtool lo').stdout).toBe('Settings for lo:\n\tLink detected: yes\n');
  });

  test('ethtool -k lo is the 6.18 loopback feature list', () => {
    expect(run('ethtool -k lo').stdout).toBe(fx('ethtool-k-lo.txt'));
  });

  test('veth and bridge devices carry their 6.18 feature sets', () => {
    const v = bootLab('version: 1\nname: v\nhosts:\n  h:\n    exec:\n      - ip link add eth0 type veth peer name eth1\n      - ip link add br9 type bridge\n');
    expect(v.runCommand('h', 'ethtool -k eth0').stdout).toBe(fx('ethtool-k-veth.txt'));
    expect(v.runCommand('h', 'ethtool -k br9').stdout).toBe(fx('ethtool-k-bridge.txt'));
    expect(v.runCommand('h', 'ethtool -i br9').stdout).toContain('driver: bridge\nversion: 2.3\nfirmware-version: N/A\n');
  });

  test('-i names the driver, the kernel release and the PCI function', () => {
    expect(run('ethtool -i eth0').stdout).toBe(
      'driver: stlnic\nversion: 6.18.44-fc-v595\nfirmware-version: \nexpansion-rom-version: \nbus-info: 0000:00:03.0\n' +
        'supports-statistics: yes\nsupports-test: no\nsupports-eeprom-access: no\nsupports-register-dump: no\nsupports-priv-flags: no\n',
    );
    expect(run('ethtool -i lo')).toMatchObject({ exit: 71, stderr: 'Cannot get driver information: Operation not supported\n' });
  });

  test('-l and -g: n/a for what the driver does not report', () => {
    expect(run('ethtool -l eth0').stdout).toBe(
      'Channel parameters for eth0:\nPre-set maximums:\nRX:\t\tn/a\nTX:\t\tn/a\nOther:\t\tn/a\nCombined:\t4\nCurrent hardware settings:\nRX:\t\tn/a\nTX:\t\tn/a\nOther:\t\tn/a\nCombined:\t4\n',
    );
    expect(run('ethtool -g eth0').stdout).toBe(
      'Ring parameters for eth0:\nPre-set maximums:\nRX:\t\t4096\nRX Mini:\tn/a\nRX Jumbo:\tn/a\nTX:\t\t4096\nCurrent hardware settings:\nRX:\t\t256\nRX Mini:\tn/a\nRX Jumbo:\tn/a\nTX:\t\t256\nRX Buf Len:\t\tn/a\nCQE Size:\t\tn/a\nTX Push:\toff\nTCP data split:\tn/a\n',
    );
    expect(run('ethtool -l lo')).toMatchObject({ exit: 1, stderr: 'netlink error: Operation not supported\n' });
  });

  test('errors name the offending netlink attribute by offset, as the kernel reports it', () => {
    const exceeds = 'netlink error: requested channel count exceeds maximum (offset 36)\nnetlink error: Invalid argument\n';
    expect(run('ethtool -L eth0 rx 3')).toEqual({ exit: 1, stdout: '', stderr: exceeds });
    expect(run('ethtool -L eth0 combined 4 tx 1').stderr).toContain('(offset 44)');
    expect(run('ethtool -L eth0 combined 0').stderr).toBe(
      'netlink error: requested channel counts would result in no RX or TX channel being configured (offset 36)\nnetlink error: Invalid argument\n',
    );
    expect(run('ethtool -G eth0 rx 8192')).toEqual({ exit: 81, stdout: '', stderr: 'netlink error: requested ring size exceeds maximum (offset 36)\nnetlink error: Invalid argument\n' });
    expect(run('ethtool -K eth0 foo on')).toEqual({ exit: 92, stdout: '', stderr: 'netlink error: bit name not found (offset 56)\nnetlink error: Operation not supported\n' });
    expect(run('ethtool -k nope')).toEqual({ exit: 1, stdout: '', stderr: 'netlink error: no device matches name (offset 24)\nnetlink error: No such device\n' });
    expect(run('ethtool -i nope')).toMatchObject({ exit: 71, stderr: 'Cannot get driver information: No such device\n' });
    expect(run('ethtool -S nope')).toMatchObject({ exit: 96, stderr: 'Cannot get stats strings information: No such device\n' });
    expect(run('ethtool -Q eth0')).toMatchObject({ exit: 1, stderr: 'ethtool: bad command line argument(s)\nFor more information run ethtool -h\n' });
    expect(run('ethtool -L eth0 foo 1').stderr).toBe("ethtool (-L): unknown parameter 'foo'\n");
  });

  test('-K: a fixed feature cannot change; what changed besides the request is shown', () => {
    expect(run('ethtool -K eth0 lro on')).toEqual({ exit: 1, stdout: 'Actual changes:\nrx-lro: off [requested on]\n', stderr: 'Could not change any device features\n' });
    expect(run('ethtool -K eth0 gro on')).toEqual({ exit: 0, stdout: '', stderr: '' });
    // Without scatter-gather there is no TSO (netdev_fix_features).
    expect(run('ethtool -K eth0 sg off')).toEqual({
      exit: 0,
      stdout: 'Actual changes:\ntx-scatter-gather: off\ntx-tcp-segmentation: off [not requested]\ntx-tcp-mangleid-segmentation: off [not requested]\ntx-tcp6-segmentation: off [not requested]\n',
      stderr: '',
    });
    expect(run('ethtool -k eth0').stdout).toContain('tcp-segmentation-offload: off\n\ttx-tcp-segmentation: off [requested on]\n');
    run('ethtool -K eth0 sg on');
    expect(run('ethtool -k eth0').stdout).toContain('tcp-segmentation-offload: on\n\ttx-tcp-segmentation: on\n');
  });
});

describe('ethtool changes the device', () => {
  test('-L re-creates the queues and their vectors; the RSS table follows unless set by hand', () => {
    const r = bootLab(LAB);
    expect(r.runCommand('a', 'ethtool -L eth0 combined 2').exit).toBe(0);
    expect(r.runCommand('a', 'grep TxRx /proc/interrupts').stdout).toMatch(/^ 24:( +0){4} PCI-MSIX-0000:00:03.0 +1-edge +eth0-TxRx-0\n 25:( +0){4} PCI-MSIX-0000:00:03.0 +2-edge +eth0-TxRx-1\n$/);
    expect(r.runCommand('a', 'ethtool -x eth0').stdout).toContain('with 2 RX ring(s):\n    0:      0     1     0     1');
    expect(r.runCommand('a', 'ethtool -L eth0 combined 4').exit).toBe(0);
    expect(r.runCommand('a', 'ethtool -X eth0 equal 3').exit).toBe(0);
    expect(r.runCommand('a', 'ethtool -L eth0 combined 2')).toMatchObject({
      exit: 1,
      stderr: 'netlink error: requested channel counts are too low for existing indirection table (2)\nnetlink error: Invalid argument\n',
    });
    expect(r.runCommand('a', 'ethtool -X eth0 equal 5')).toMatchObject({ exit: 1, stderr: 'Cannot set RX flow hash configuration: Invalid argument\n' });
    expect(r.runCommand('a', 'ethtool -X eth0 weight 1 2 1 0').exit).toBe(0);
    const x = r.runCommand('a', 'ethtool -x eth0').stdout;
    expect(x).toContain('   24:      0     0     0     0     0     0     0     0\n   32:      1     1');
    expect(x).toContain('   96:      2     2');
    expect(r.runCommand('a', 'ethtool -X eth0 default').exit).toBe(0);
    expect(r.runCommand('a', 'ethtool -x eth0').stdout).toContain('    0:      0     1     2     3     0     1     2     3');
  });

  test('-G rounds to the ring multiple and reallocates the rings', () => {
    const r = bootLab(LAB);
    expect(r.runCommand('a', 'ethtool -G eth0 rx 100 tx 70').exit).toBe(0);
    expect(r.runCommand('a', 'ethtool -g eth0').stdout).toContain('Current hardware settings:\nRX:\t\t104\nRX Mini:\tn/a\nRX Jumbo:\tn/a\nTX:\t\t72\n');
    expect(r.runCommand('a', 'ethtool -G eth0 rx 104').stdout).toBe('');
  });

  test('vectors spread over CPUs; smp_affinity moves one, effective_affinity shows where', () => {
    const r = bootLab(LAB);
    expect(r.runCommand('a', 'cat /proc/irq/24/smp_affinity /proc/irq/24/smp_affinity_list /proc/irq/26/effective_affinity_list').stdout).toBe('f\n0-3\n2\n');
    expect(r.runCommand('a', 'echo 1-2 > /proc/irq/24/smp_affinity_list').exit).toBe(0);
    // CPU 0 left the mask: the vector moves to the least loaded CPU of it.
    expect(r.runCommand('a', 'cat /proc/irq/24/smp_affinity /proc/irq/24/effective_affinity /proc/irq/24/effective_affinity_list').stdout).toBe('6\n2\n1\n');
    // A mask without an online CPU is refused.
    expect(r.runCommand('a', 'echo 10 > /proc/irq/24/smp_affinity')).toMatchObject({ exit: 1, stderr: 'sh: 1: echo: echo: I/O error\n' });
    expect(r.host('a').vfs.list('/proc/irq/24')).toEqual(['affinity_hint', 'effective_affinity', 'effective_affinity_list', 'eth0-TxRx-0', 'node', 'smp_affinity', 'smp_affinity_list', 'spurious']);
  });
});
