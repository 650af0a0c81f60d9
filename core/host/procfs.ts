// The host's files: /proc (net/snmp, net/netstat, net/dev, net/arp,
// net/softnet_stat, softirqs, interrupts, sys/...), /dev/null, and a small
// in-memory tree for files users write. Reads are generated from live
// kernel state each time, as procfs does.
import type { Vfs, VfsError } from '../userland/process.js';
import type { Net } from '../net/net_namespace.js';
import { procNetSnmp, procNetNetstat } from '../proc/net_snmp.js';
import { procNetDev } from '../proc/net_dev.js';
import { procNetArp, arp_seq_shows, arp_state_to_flags } from '../proc/net_arp.js';
import { procNetSoftnetStat } from '../proc/softnet_stat.js';
import { procSoftirqs } from '../proc/softirqs.js';
import { procInterrupts } from '../proc/interrupts.js';
import { cpuFilesRead, cpuFilesWrite, cpuFilesList, nr_irqs } from './proc_cpu.js';
import { formatIPv4 } from '../net/wire/ip.js';
import { formatMac } from '../net/wire/ethernet.js';
import { NET_RX_SOFTIRQ, NET_TX_SOFTIRQ, SOFTIRQ_NAMES } from '../kernel/cpu.js';

type Gen = (net: Net) => string;

const PROC: Record<string, Gen> = {
  '/proc/net/snmp': (net) =>
    procNetSnmp(net.mib, { forwarding: net.ip_forward, defaultTtl: net.sysctlInt('net.ipv4.ip_default_ttl'), currEstab: net.socks.tcp.filter((s) => s.state === 'ESTABLISHED' || s.state === 'CLOSE_WAIT').length }),
  '/proc/net/netstat': (net) => procNetNetstat(net.mib),
  '/proc/net/dev': (net) =>
    procNetDev(
      [...net.devices.values()].map((d) => ({
        name: d.name,
        rx_bytes: d.stats.rx_bytes,
        rx_packets: d.stats.rx_packets,
        rx_errs: d.stats.rx_errors,
        rx_drop: d.stats.rx_dropped + d.stats.rx_missed_errors,
        rx_fifo: d.stats.rx_fifo_errors,
        rx_frame: d.stats.rx_frame_errors,
        rx_compressed: d.stats.rx_compressed,
        rx_multicast: d.stats.multicast,
        tx_bytes: d.stats.tx_bytes,
        tx_packets: d.stats.tx_packets,
        tx_errs: d.stats.tx_errors,
        tx_drop: d.stats.tx_dropped,
        tx_fifo: d.stats.tx_fifo_errors,
        tx_colls: d.stats.collisions,
        tx_carrier: d.stats.tx_carrier_errors,
        tx_compressed: d.stats.tx_compressed,
      })) as any,
    ),
  '/proc/net/arp': (net) =>
    procNetArp(
      [...net.arp_tbl.entries.values()]
        .filter((n) => arp_seq_shows(n.nud_state))
        .map((n) => ({ ip: formatIPv4(n.key), hwType: n.dev.type, flags: arp_state_to_flags(n.nud_state), mac: formatMac(n.ha), dev: n.dev.name })),
    ),
  '/proc/net/softnet_stat': (net) =>
    procNetSoftnetStat(
      net.softnet.map((sd) => ({
        processed: sd.processed,
        dropped: sd.dropped,
        time_squeeze: sd.time_squeeze,
        cpu_collision: sd.cpu_collision,
        received_rps: sd.received_rps,
        flow_limit_count: sd.flow_limit_count,
        input_qlen: sd.input_pkt_queue.length,
        process_qlen: sd.process_queue.length,
        cpu: sd.cpu.id,
      })) as any,
    ),
  '/proc/softirqs': (net) => {
    const counts: Record<string, number[]> = {};
    for (let i = 0; i < SOFTIRQ_NAMES.length; i++) counts[SOFTIRQ_NAMES[i]] = net.cpus.map((c) => c.softirqCount[i]);
    void NET_RX_SOFTIRQ;
    void NET_TX_SOFTIRQ;
    return procSoftirqs(net.cpus.length, counts as any);
  },
  '/proc/interrupts': (net) =>
    procInterrupts(
      net.cpus.length,
      net.irqs.map((d) => ({ irq: d.irq, counts: Array.from(d.counts), chip: d.chip, hwirq: d.hwirq, handler: 'edge', actions: d.name })),
      { CAL: net.cpus.map((c) => c.ipi_call_count) },
      { nrIrqs: nr_irqs(net.cpus.length) },
    ),
};

export class HostVfs implements Vfs {
  private files = new Map<string, string>();
  /** Binary files (tcpdump -w), as chunks appended in order. */
  private blobs = new Map<string, Uint8Array[]>();
  constructor(private net: Net) {}

  private sysctlName(path: string): string | null {
    if (!path.startsWith('/proc/sys/')) return null;
    return path.slice('/proc/sys/'.length).replace(/\//g, '.');
  }

  read(path: string): string | { errno: VfsError } {
    path = normalize(path);
    if (path === '/dev/null') return '';
    const gen = PROC[path];
    if (gen) return gen(this.net);
    const cf = cpuFilesRead(this.net, path);
    if (cf !== undefined) return cf;
    const name = this.sysctlName(path);
    if (name) {
      const v = this.net.sysctl.get(name);
      if (v === undefined) return this.isDir(path) ? { errno: 'EISDIR' } : { errno: 'ENOENT' };
      return v + '\n';
    }
    const f = this.files.get(path);
    if (f !== undefined) return f;
    const blob = this.blobs.get(path);
    if (blob) return latin1(joinChunks(blob));
    if (this.isDir(path)) return { errno: 'EISDIR' };
    return { errno: 'ENOENT' };
  }

  write(path: string, data: string, append: boolean): null | { errno: VfsError } {
    path = normalize(path);
    if (path === '/dev/null') return null;
    const cf = cpuFilesWrite(this.net, path, data);
    if (cf !== undefined) return cf;
    const name = this.sysctlName(path);
    if (name) {
      if (this.net.sysctl.get(name) === undefined) return { errno: 'ENOENT' };
      const err = this.net.sysctl.set(name, data.trim());
      return err ? { errno: err.includes('Invalid') ? 'EINVAL' : err.includes('denied') ? 'EACCES' : 'EPERM' } : null;
    }
    if (path.startsWith('/proc/') || path.startsWith('/sys/')) return { errno: 'EACCES' };
    const dir = path.slice(0, path.lastIndexOf('/')) || '/';
    if (!['/', '/tmp', '/root', '/etc', '/var/tmp'].includes(dir) && !this.isDir(dir)) return { errno: 'ENOENT' };
    if (this.blobs.has(path)) {
      const prev = append ? latin1(joinChunks(this.blobs.get(path)!)) : '';
      this.blobs.delete(path);
      data = prev + data;
    }
    this.files.set(path, append ? (this.files.get(path) ?? '') + data : data);
    return null;
  }

  /** The bytes of a file: binary files as written, text files as UTF-8. */
  readBytes(path: string): Uint8Array | { errno: VfsError } {
    const blob = this.blobs.get(normalize(path));
    if (blob) return joinChunks(blob);
    const t = this.read(path);
    return typeof t === 'string' ? utf8(t) : t;
  }

  /** Write bytes; appending adds a chunk (a capture grows packet by packet). */
  writeBytes(path: string, data: Uint8Array, append: boolean): null | { errno: VfsError } {
    path = normalize(path);
    if (path === '/dev/null') return null;
    if (!this.blobs.has(path)) {
      const err = this.write(path, '', append);
      if (err) return err;
    }
    const text = this.files.get(path);
    this.files.delete(path);
    const chunks = append ? (this.blobs.get(path) ?? (text ? [utf8(text)] : [])) : [];
    chunks.push(data.slice());
    this.blobs.set(path, chunks);
    return null;
  }

  list(path: string): string[] | { errno: VfsError } {
    path = normalize(path);
    const cl = cpuFilesList(this.net, path);
    if (cl) return cl;
    const prefix = path.endsWith('/') ? path : path + '/';
    const names = new Set<string>();
    for (const p of [...Object.keys(PROC), ...this.files.keys(), ...this.blobs.keys()]) if (p.startsWith(prefix)) names.add(p.slice(prefix.length).split('/')[0]);
    if (path.startsWith('/proc/sys')) {
      const base = (this.sysctlName(prefix) ?? '').replace(/\.$/, '');
      for (const [n] of this.net.sysctl.list(base)) {
        const rest = n.slice(base ? base.length + 1 : 0);
        names.add(rest.split('.')[0]);
      }
    }
    if (!names.size && !this.isDir(path)) return { errno: 'ENOENT' };
    return [...names].sort();
  }

  private isDir(path: string): boolean {
    const prefix = path.endsWith('/') ? path : path + '/';
    if (['/', '/proc/', '/proc/net/', '/proc/sys/', '/tmp/', '/root/', '/dev/', '/etc/', '/proc/irq/'].includes(prefix)) return true;
    if (cpuFilesList(this.net, prefix.slice(0, -1))) return true;
    if (prefix.startsWith('/proc/sys/')) {
      const base = (this.sysctlName(prefix) ?? '').replace(/\.$/, '');
      return this.net.sysctl.list(base).length > 0;
    }
    for (const p of [...this.files.keys(), ...this.blobs.keys()]) if (p.startsWith(prefix)) return true;
    return false;
  }
}

function joinChunks(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  chunks.splice(0, chunks.length, out);
  return out;
}

/** Bytes as a string of code points 0-255 (what `cat` of a binary file shows). */
function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode(...b.subarray(i, i + 8192));
  return s;
}

function utf8(s: string): Uint8Array {
  const out: number[] = [];
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return new Uint8Array(out);
}

function normalize(p: string): string {
  const parts: string[] = [];
  for (const s of p.split('/')) {
    if (!s || s === '.') continue;
    if (s === '..') parts.pop();
    else parts.push(s);
  }
  return '/' + parts.join('/');
}

