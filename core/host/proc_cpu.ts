// Files about CPUs, interrupts and receive queues: /proc/stat, /proc/uptime,
// /proc/irq/N/{smp_affinity,smp_affinity_list,effective_affinity[_list]},
// /proc/irq/default_smp_affinity, and the RPS knobs of
// /sys/class/net/IF/queues/rx-N/{rps_cpus,rps_flow_cnt}. HostVfs asks here
// first; undefined means "not one of ours".
import type { Net } from '../net/net_namespace.js';
import type { VfsError } from '../userland/process.js';
import { procStat, procUptime, type CpuTimes } from '../proc/stat.js';
import { irq_set_affinity, allCpus } from '../kernel/irq.js';
import { netdev_rx_queue, parseCpuMask, cpuMaskToList } from '../net/core/softnet.js';
import { pktgen_devices, PKTGEN_VERSION } from '../net/core/pktgen.js';

/** The wall-clock second the simulated machines booted (btime): 2026-11-23
 * 00:00:00 UTC. Virtual time starts there; nothing reads a real clock. */
export const BOOT_EPOCH_S = 1795392000;

/** x86 arch_probe_nr_irqs on the reference VM: 24 IOAPIC pins, no legacy PIC. */
export function nr_irqs(ncpus: number): number {
  return 24 + 8 * ncpus + 24 * 16;
}

type Result = string | { errno: VfsError };

/** The CPU times of one CPU up to now; idle is whatever was not busy. */
export function cpuTimes(net: Net, i: number): CpuTimes {
  const c = net.cpus[i];
  const busy = c.time.user + c.time.system + c.time.irq + c.time.softirq;
  // Work the CPU has committed to runs ahead of the clock; it is not idle time.
  const idle = Math.max(0, net.engine.now - busy);
  return { user: c.time.user, nice: 0, system: c.time.system, idle, iowait: 0, irq: c.time.irq, softirq: c.time.softirq, steal: 0, guest: 0, guest_nice: 0 };
}

/** "%*pb": a CPU mask in hex, comma every 32 bits, as wide as nr_cpu_ids. */
export function cpumaskHex(mask: number, ncpus: number): string {
  const digits = Math.ceil(ncpus / 4);
  const hex = (mask >>> 0).toString(16).padStart(digits, '0').slice(-digits);
  const groups: string[] = [];
  for (let end = hex.length; end > 0; end -= 8) groups.unshift(hex.slice(Math.max(0, end - 8), end));
  return groups.join(',');
}

/** "%*pbl": a CPU mask as a range list ("0-2,5"). */
export function cpumaskList(mask: number, ncpus: number): string {
  const out: string[] = [];
  for (let i = 0; i < ncpus; i++) {
    if (!(mask & (1 << i))) continue;
    let j = i;
    while (j + 1 < ncpus && mask & (1 << (j + 1))) j++;
    out.push(i === j ? `${i}` : `${i}-${j}`);
    i = j;
  }
  return out.join(',');
}

/** bitmap_parselist: "0-2,5" -> mask; NaN when malformed. */
export function parseCpuList(s: string): number {
  let m = 0;
  if (!s.trim()) return 0;
  for (const part of s.trim().split(',')) {
    const r = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!r) return NaN;
    const a = Number(r[1]);
    const b = r[2] === undefined ? a : Number(r[2]);
    if (b < a || b > 30) return NaN;
    for (let i = a; i <= b; i++) m |= 1 << i;
  }
  return m;
}

function mask(list: number[]): number {
  return list.reduce((m, c) => m | (1 << c), 0);
}

const IRQ_FILES = ['affinity_hint', 'effective_affinity', 'effective_affinity_list', 'node', 'smp_affinity', 'smp_affinity_list', 'spurious'];

/** Read one of our files. */
export function cpuFilesRead(net: Net, path: string): Result | undefined {
  const n = net.cpus.length;
  if (path === '/proc/stat') {
    const irqs = new Map<number, number>();
    for (const d of net.irqs) irqs.set(d.irq, d.counts.reduce((a, b) => a + b, 0));
    return procStat({
      cpus: net.cpus.map((_, i) => cpuTimes(net, i)),
      irqs,
      nr_irqs: nr_irqs(n),
      arch_irqs: net.cpus.reduce((a, c) => a + c.ipi_call_count, 0),
      ctxt: net.cpus.reduce((a, c) => a + c.nr_switches, 0),
      btime: BOOT_EPOCH_S,
      // Process accounting is not modelled beyond the reader itself.
      processes: 0,
      procs_running: 1,
      procs_blocked: 0,
      softirqs: Array.from({ length: 10 }, (_, v) => net.cpus.reduce((a, c) => a + c.softirqCount[v], 0)),
    });
  }
  if (path === '/proc/uptime') {
    const idle = net.cpus.reduce((a, _, i) => a + cpuTimes(net, i).idle, 0);
    return procUptime(net.engine.now, idle);
  }
  if (path === '/proc/irq/default_smp_affinity') return cpumaskHex(allCpus(n), n) + '\n';
  const irq = /^\/proc\/irq\/(\d+)(?:\/([a-z_]+))?$/.exec(path);
  if (irq) {
    const d = net.irqs.find((x) => x.irq === Number(irq[1]));
    if (!d) return { errno: 'ENOENT' };
    switch (irq[2]) {
      case undefined:
        return { errno: 'EISDIR' };
      case 'smp_affinity':
        return cpumaskHex(d.affinity, n) + '\n';
      case 'smp_affinity_list':
        return cpumaskList(d.affinity, n) + '\n';
      case 'effective_affinity':
        return cpumaskHex(1 << d.effective, n) + '\n';
      case 'effective_affinity_list':
        return cpumaskList(1 << d.effective, n) + '\n';
      case 'affinity_hint':
        return cpumaskHex(0, n) + '\n';
      case 'node':
        return '0\n';
      case 'spurious':
        return `count ${d.counts.reduce((a, b) => a + b, 0) % 100000}\nunhandled 0\nlast_unhandled 0 ms\n`;
      default:
        return { errno: 'ENOENT' };
    }
  }
  const rxq = rxQueueFile(net, path);
  if (rxq) {
    if (rxq === 'ENOENT') return { errno: 'ENOENT' };
    const q = netdev_rx_queue(net, rxq.dev, rxq.index);
    if (rxq.file === 'rps_cpus') return cpumaskHex(mask(q.rps_map), n) + '\n';
    return `${q.rps_flow_cnt}\n`;
  }
  const pg = /^\/proc\/net\/pktgen\/([^/]+)$/.exec(path);
  if (pg) {
    if (pg[1] === 'pgctrl') return `Packet Generator for packet performance testing. Version: ${PKTGEN_VERSION}\n`;
    const d = pktgen_devices(net).get(pg[1]);
    return d ? d.show() : { errno: 'ENOENT' };
  }
  return undefined;
}

/** Write one of our files. */
export function cpuFilesWrite(net: Net, path: string, data: string): null | { errno: VfsError } | undefined {
  const n = net.cpus.length;
  const irq = /^\/proc\/irq\/(\d+)\/([a-z_]+)$/.exec(path);
  if (irq) {
    const d = net.irqs.find((x) => x.irq === Number(irq[1]));
    if (!d || !IRQ_FILES.includes(irq[2])) return { errno: 'ENOENT' };
    if (irq[2] !== 'smp_affinity' && irq[2] !== 'smp_affinity_list') return { errno: 'EACCES' };
    const m = irq[2] === 'smp_affinity' ? parseCpuMask(data) : parseCpuList(data);
    // irq_affinity_proc_write: a mask without an online CPU is refused.
    if (!Number.isFinite(m) || !(m & allCpus(n))) return { errno: 'EINVAL' };
    irq_set_affinity(net, d, m & allCpus(n));
    return null;
  }
  if (path === '/proc/stat' || path === '/proc/uptime' || path === '/proc/irq/default_smp_affinity') return { errno: 'EACCES' };
  const rxq = rxQueueFile(net, path);
  if (rxq) {
    if (rxq === 'ENOENT') return { errno: 'ENOENT' };
    const q = netdev_rx_queue(net, rxq.dev, rxq.index);
    if (rxq.file === 'rps_cpus') {
      // store_rps_map: bitmap_parse, then only online CPUs are kept.
      const m = parseCpuMask(data);
      if (!Number.isFinite(m)) return { errno: 'EINVAL' };
      q.rps_map = cpuMaskToList(m & allCpus(n), n);
      return null;
    }
    // store_rps_dev_flow_table_cnt: rounded up to a power of two.
    const t = data.trim();
    if (!/^\d+$/.test(t)) return { errno: 'EINVAL' };
    const cnt = Number(t);
    q.rps_flow_cnt = cnt ? 2 ** Math.ceil(Math.log2(cnt)) : 0;
    return null;
  }
  return undefined;
}

/** Names in one of our directories. */
export function cpuFilesList(net: Net, path: string): string[] | undefined {
  if (path === '/proc/irq') return ['default_smp_affinity', ...net.irqs.map((d) => String(d.irq)).sort((a, b) => Number(a) - Number(b))];
  const irq = /^\/proc\/irq\/(\d+)$/.exec(path);
  if (irq) {
    const d = net.irqs.find((x) => x.irq === Number(irq[1]));
    return d ? [...IRQ_FILES, d.name].sort() : undefined;
  }
  if (path === '/sys/class/net') return [...net.devices.values()].map((d) => d.name).sort();
  if (path === '/proc/net/pktgen') return ['pgctrl', ...pktgen_devices(net).keys()].sort();
  const dq = /^\/sys\/class\/net\/([^/]+)\/queues$/.exec(path);
  if (dq) {
    const dev = net.dev_get_by_name(dq[1]);
    if (!dev) return undefined;
    const rx = Array.from({ length: Math.max(1, dev.real_num_rx_queues) }, (_, i) => `rx-${i}`);
    const tx = Array.from({ length: Math.max(1, dev.num_tx_queues) }, (_, i) => `tx-${i}`);
    return [...rx, ...tx];
  }
  if (/^\/sys\/class\/net\/[^/]+\/queues\/rx-\d+$/.test(path) && rxQueueFile(net, path + '/rps_cpus') !== 'ENOENT') return ['rps_cpus', 'rps_flow_cnt'];
  return undefined;
}

function rxQueueFile(net: Net, path: string) {
  const m = /^\/sys\/class\/net\/([^/]+)\/queues\/rx-(\d+)\/(rps_cpus|rps_flow_cnt)$/.exec(path);
  if (!m) return null;
  const dev = net.dev_get_by_name(m[1]);
  const index = Number(m[2]);
  if (!dev || index >= Math.max(1, dev.real_num_rx_queues)) return 'ENOENT' as const;
  return { dev, index, file: m[3] as 'rps_cpus' | 'rps_flow_cnt' };
}
