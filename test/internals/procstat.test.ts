// /proc/stat, /proc/uptime and mpstat: Linux's layout (fs/proc/stat.c,
// sysstat 12.6), CPU time split into user, system, irq, softirq and idle
// in USER_HZ ticks, and mpstat's percentages over an interval of load.
import { describe, expect, test } from 'vitest';
import { bootLab } from '../support/lab.js';

const LAB = `version: 1
name: stat
hosts:
  gen:
    exec:
      - ip addr add 10.0.0.1/24 dev eth0
  rx:
    cpus: 2
    exec:
      - ip addr add 10.0.0.2/24 dev eth0
links:
  - endpoints: [gen:eth0, rx:eth0]
`;

describe('/proc/stat', () => {
  test('cpu lines, intr over nr_irqs numbers, softirq totals', () => {
    const r = bootLab(LAB);
    r.runCommand('gen', 'ping -c 3 -i 0.2 10.0.0.2');
    const lines = r.runCommand('rx', 'cat /proc/stat').stdout.trimEnd().split('\n');
    expect(lines.map((l) => l.split(' ')[0])).toEqual(['cpu', 'cpu0', 'cpu1', 'intr', 'ctxt', 'btime', 'processes', 'procs_running', 'procs_blocked', 'softirq']);
    expect(lines[0]).toMatch(/^cpu  \d+( \d+){9}$/);
    expect(lines[1]).toMatch(/^cpu0 \d+( \d+){9}$/);
    // x86 nr_irqs on the reference VM: 24 pins * 17 + 8 per CPU.
    const intr = lines[3].split(' ').slice(1).map(Number);
    expect(intr.length).toBe(1 + 24 * 17 + 8 * 2);
    const irqs = r.runCommand('rx', 'grep TxRx /proc/interrupts').stdout.trim().split(/\s+/);
    expect(intr[25]).toBe(Number(irqs[1]) + Number(irqs[2]));
    expect(intr[0]).toBe(intr.slice(1).reduce((a, b) => a + b, 0));
    expect(lines[5]).toBe('btime 1795392000');
    const sirq = lines[9].split(' ').slice(1).map(Number);
    const netrx = r.runCommand('rx', 'grep NET_RX /proc/softirqs').stdout.trim().split(/\s+/).slice(1).map(Number);
    expect(sirq[4]).toBe(netrx[0] + netrx[1]);
    expect(sirq[0]).toBe(sirq.slice(1).reduce((a, b) => a + b, 0));
  });

  test('ticks add up to the time elapsed on every CPU; /proc/uptime agrees', () => {
    const r = bootLab(LAB);
    r.runCommand('rx', 'sleep 2');
    const cpu = r.runCommand('rx', 'cat /proc/stat').stdout.split('\n')[1].split(' ').slice(1).map(Number);
    const up = r.runCommand('rx', 'cat /proc/uptime').stdout;
    expect(up).toMatch(/^\d+\.\d\d \d+\.\d\d\n$/);
    const [uptime, idle] = up.trim().split(' ').map(Number);
    expect(cpu.reduce((a, b) => a + b, 0)).toBe(Math.floor(uptime * 100));
    expect(idle).toBeCloseTo(2 * uptime, 1);
  });

  test('user work is user time', () => {
    const r = bootLab(LAB);
    r.startBackground('rx', 'udp-sink -q -c 1 --work-us 300000 5000');
    r.runCommand('gen', 'echo x | nc -u -w 0 10.0.0.2 5000');
    r.runCommand('rx', 'sleep 1');
    const cpu0 = r.runCommand('rx', 'cat /proc/stat').stdout.split('\n')[1].split(' ');
    expect(Number(cpu0[1])).toBe(30);
  });
});

describe('mpstat', () => {
  test('the banner, the header and one line per CPU, then the averages', () => {
    const r = bootLab(LAB);
    const m = r.runCommand('rx', 'mpstat -P ALL 1 1');
    expect(m.exit).toBe(0);
    expect(m.stdout).toMatch(
      /^Linux 6\.18\.44-fc-v595 \(rx\) \t11\/23\/26 \t_x86_64_\t\(2 CPU\)\n\n\d\d:\d\d:\d\d     CPU    %usr   %nice    %sys %iowait    %irq   %soft  %steal  %guest  %gnice   %idle\n\d\d:\d\d:\d\d     all(    0\.00){9}  100\.00\n\d\d:\d\d:\d\d       0(    0\.00){9}  100\.00\n\d\d:\d\d:\d\d       1(    0\.00){9}  100\.00\n\nAverage:     CPU    %usr   %nice    %sys %iowait    %irq   %soft  %steal  %guest  %gnice   %idle\nAverage:     all( +[0-9.]+){10}\nAverage:       0( +[0-9.]+){10}\nAverage:       1( +[0-9.]+){10}\n$/,
    );
    expect(r.runCommand('rx', 'mpstat 1 2').stdout).toMatch(/\n\n[0-9:]{8}     CPU[^\n]+\n[0-9:]{8}     all[^\n]+\n[0-9:]{8}     all[^\n]+\nAverage:     all[^\n]+\n$/);
    expect(r.runCommand('rx', 'mpstat -X')).toMatchObject({ exit: 1, stderr: expect.stringMatching(/^Usage: mpstat \[ options \]/) });
  });

  test('under interrupt load the CPU taking the queue interrupt shows %irq and %soft; the other stays idle', () => {
    const r = bootLab(LAB);
    r.startBackground('gen', 'pktgen -i eth0 -d 10.0.0.2 -m 02:00:00:00:02:01 -p 9 -n 30000 -w 40000');
    const m = r.runCommand('rx', 'mpstat -P ALL 1 1').stdout.split('\n');
    const cpu0 = m[4].trim().split(/\s+/).map(Number);
    const cpu1 = m[5].trim().split(/\s+/).map(Number);
    // time CPU %usr %nice %sys %iowait %irq %soft %steal %guest %gnice %idle
    expect(cpu0[6]).toBeGreaterThan(1);
    expect(cpu0[7]).toBeGreaterThan(1);
    expect(cpu1[11]).toBe(100);
    const s = r.runCommand('rx', 'mpstat -I SCPU -P 0 1 1').stdout;
    expect(s).toMatch(/CPU       HI\/s    TIMER\/s   NET_TX\/s   NET_RX\/s[^\n]*\n[0-9:]{8}       0       0\.00 +[0-9.]+       0\.00 +[1-9][0-9]{3,}\.00 /);
  });
});
