// A single host outside any lab (no cables): for unit tests of kernel parts.
import { Host } from '../../core/host/host.js';
import { defaultMac, DEFAULT_NIC } from '../../core/lab/topology.js';
import type { Task } from '../../core/userland/process.js';

export function standaloneHost(ifaces = ['eth0'], cpus = 1, seed = 1): Host {
  return new Host(
    { name: 'h', index: 0, cpus, ifaces: ifaces.map((name, i) => ({ name, nic: { ...DEFAULT_NIC, mac: defaultMac(1, i + 1) } })), exec: [] },
    seed,
    [],
  );
}

/** Run a shell line to completion in virtual time. */
export function sh(h: Host, line: string): { exit: number; stdout: string; stderr: string } {
  const { task, stdout, stderr } = h.startLine(line);
  runTo(h, task);
  return { exit: task.exitCode!, stdout: stdout.text, stderr: stderr.text };
}

export function runTo(h: Host, task: Task, limitNs = 60e9): void {
  const end = h.engine.now + limitNs;
  while (task.exitCode === null && h.engine.nextTime() < end) h.engine.step();
  if (task.exitCode === null) throw new Error(`task ${task.argv.join(' ')} did not finish`);
}
