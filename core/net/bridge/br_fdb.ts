// net/bridge/br_fdb.c: the forwarding database. Learning (br_fdb_update)
// records which port a source MAC was last seen on; entries not refreshed
// for ageing_time (300 s) are removed by the gc work (br_fdb_cleanup), which
// reschedules itself for the next expiry, at least 10 ms apart. Local
// entries (the ports' own addresses, the bridge's) are permanent.
import type { Net } from '../net_namespace.js';
import type { NetDevice } from '../core/netdevice.js';
import { formatMac, type Mac } from '../wire/ethernet.js';
import { NUD_PERMANENT, NUD_NOARP, NUD_STALE, NUD_REACHABLE } from '../core/neighbour.js';
import { NSEC_PER_MSEC } from '../../sim/engine.js';
import { printk } from '../../kernel/printk.js';
import {
  type NetBridge,
  type NetBridgePort,
  NetBridgeFdbEntry,
  BR_FDB_LOCAL,
  BR_FDB_STATIC,
  BR_FDB_STICKY,
  BR_FDB_ADDED_BY_USER,
  BR_FDB_ADDED_BY_EXT_LEARN,
  BR_FDB_DYNAMIC_LEARNED,
  mac_key,
  is_valid_ether_addr,
} from './br_private.js';

function net_of(br: NetBridge): Net {
  return br.dev.net;
}

/** hold_time: forward_delay while the topology changes, else ageing_time. */
export function hold_time(br: NetBridge): number {
  return br.topology_change ? br.forward_delay : br.ageing_time;
}

export function has_expired(br: NetBridge, f: NetBridgeFdbEntry, now: number): boolean {
  return !(f.flags & BR_FDB_STATIC) && !(f.flags & BR_FDB_ADDED_BY_EXT_LEARN) && f.updated + hold_time(br) <= now;
}

/** fdb_to_nud: the neighbour state `bridge fdb` prints. */
export function fdb_to_nud(br: NetBridge, f: NetBridgeFdbEntry): number {
  if (f.flags & BR_FDB_LOCAL) return NUD_PERMANENT;
  if (f.flags & BR_FDB_STATIC) return NUD_NOARP;
  if (has_expired(br, f, net_of(br).now())) return NUD_STALE;
  return NUD_REACHABLE;
}

export function br_fdb_find(br: NetBridge, addr: Mac): NetBridgeFdbEntry | undefined {
  return br.fdb.get(mac_key(addr));
}

function fdb_create(br: NetBridge, source: NetBridgePort | null, addr: Mac, flags: number): NetBridgeFdbEntry {
  const learned = !(flags & BR_FDB_ADDED_BY_USER) && !(flags & BR_FDB_LOCAL);
  if (learned) flags |= BR_FDB_DYNAMIC_LEARNED;
  const now = net_of(br).now();
  const f = new NetBridgeFdbEntry(new Uint8Array(addr), source, flags, now, now);
  br.fdb.set(mac_key(addr), f);
  return f;
}

function fdb_delete(br: NetBridge, f: NetBridgeFdbEntry): void {
  net_of(br).tracer.fn(null, 'fdb_delete', `br_dev ${br.dev.name} dev ${f.dst ? f.dst.dev.name : br.dev.name} addr ${formatMac(f.addr)} vid 0`);
  br.fdb.delete(mac_key(f.addr));
}

/** fdb_delete_local: keep a local entry if another port (or the bridge)
 * still has that address, else delete it. */
function fdb_delete_local(br: NetBridge, p: NetBridgePort | null, f: NetBridgeFdbEntry): void {
  for (const op of br.port_list) {
    if (op !== p && sameMac(op.dev.dev_addr, f.addr)) {
      f.dst = op;
      f.flags &= ~BR_FDB_ADDED_BY_USER;
      return;
    }
  }
  if (p && sameMac(br.dev.dev_addr, f.addr)) {
    f.dst = null;
    f.flags &= ~BR_FDB_ADDED_BY_USER;
    return;
  }
  fdb_delete(br, f);
}

/** fdb_add_local: a permanent entry for one of our own addresses. */
export function br_fdb_add_local(br: NetBridge, source: NetBridgePort | null, addr: Mac): void {
  if (!is_valid_ether_addr(addr)) return;
  const f = br_fdb_find(br, addr);
  if (f) {
    // Several ports may share an address: the first one keeps it.
    if (f.flags & BR_FDB_LOCAL) return;
    br_warn(br, `adding interface ${source ? source.dev.name : br.dev.name} with same address as a received packet (addr:${formatMac(addr)}, vlan:0)`);
    fdb_delete(br, f);
  }
  fdb_create(br, source, addr, BR_FDB_LOCAL | BR_FDB_STATIC);
}

/** br_fdb_changeaddr: a port's address changed. */
export function br_fdb_changeaddr(p: NetBridgePort, newaddr: Mac): void {
  const br = p.br;
  for (const f of [...br.fdb.values()]) {
    if (f.dst === p && f.flags & BR_FDB_LOCAL && !(f.flags & BR_FDB_ADDED_BY_USER)) {
      fdb_delete_local(br, p, f);
      break;
    }
  }
  br_fdb_add_local(br, p, newaddr);
}

/** br_fdb_change_mac_address: the bridge's own address changed. */
export function br_fdb_change_mac_address(br: NetBridge, newaddr: Mac): void {
  const f = br_fdb_find(br, br.dev.dev_addr);
  if (f && f.flags & BR_FDB_LOCAL && !f.dst && !(f.flags & BR_FDB_ADDED_BY_USER)) fdb_delete_local(br, null, f);
  br_fdb_add_local(br, null, newaddr);
}

/** br_fdb_cleanup (gc_work): delete what has not been refreshed for the
 * hold time; run again at the next expiry, at least 10 ms later. */
export function br_fdb_cleanup(br: NetBridge): void {
  const now = net_of(br).now();
  const delay = hold_time(br);
  let work_delay = delay;
  for (const f of [...br.fdb.values()]) {
    if (f.flags & BR_FDB_STATIC || f.flags & BR_FDB_ADDED_BY_EXT_LEARN) continue;
    const this_timer = f.updated + delay;
    if (this_timer > now) work_delay = Math.min(work_delay, this_timer - now);
    else fdb_delete(br, f);
  }
  work_delay = Math.max(work_delay, 10 * NSEC_PER_MSEC);
  br.gc_timer.mod(net_of(br).engine.now + work_delay);
}

/** br_fdb_delete_by_port: flush a port's entries (do_all: local ones too;
 * p null: the bridge's own). */
export function br_fdb_delete_by_port(br: NetBridge, p: NetBridgePort | null, do_all: boolean): void {
  for (const f of [...br.fdb.values()]) {
    if (f.dst !== p) continue;
    if (!do_all && (f.flags & BR_FDB_STATIC || f.flags & BR_FDB_ADDED_BY_EXT_LEARN)) continue;
    if (f.flags & BR_FDB_LOCAL) fdb_delete_local(br, p, f);
    else fdb_delete(br, f);
  }
}

/** br_fdb_update: learn (or refresh, or move) the source address of a frame
 * received on `source`. */
export function br_fdb_update(br: NetBridge, source: NetBridgePort, addr: Mac, flags: number): void {
  const net = net_of(br);
  if (hold_time(br) === 0) return; // some users want to always flood
  const f = br_fdb_find(br, addr);
  if (f) {
    if (f.flags & BR_FDB_LOCAL) {
      br_warn(br, `received packet on ${source.dev.name} with own address as source address (addr:${formatMac(addr)}, vlan:0)`);
      return;
    }
    const now = net.now();
    let modified = false;
    if (now !== f.updated) f.updated = now;
    if (source !== f.dst && !(f.flags & BR_FDB_STICKY)) {
      f.dst = source;
      modified = true;
      f.flags &= ~BR_FDB_ADDED_BY_EXT_LEARN;
    }
    if (flags & BR_FDB_ADDED_BY_USER) {
      f.flags |= BR_FDB_ADDED_BY_USER;
      f.flags &= ~BR_FDB_DYNAMIC_LEARNED;
    }
    if (modified) net.tracer.fn(null, 'br_fdb_update', `br_dev ${br.dev.name} source ${source.dev.name} addr ${formatMac(addr)} vid 0 flags 0x${flags.toString(16)}`);
    return;
  }
  fdb_create(br, source, addr, flags);
  net.tracer.fn(null, 'br_fdb_update', `br_dev ${br.dev.name} source ${source.dev.name} addr ${formatMac(addr)} vid 0 flags 0x${flags.toString(16)}`);
}

/** The entries in fdb_list order (newest first), as br_fdb_dump walks them. */
export function br_fdb_list(br: NetBridge): NetBridgeFdbEntry[] {
  return [...br.fdb.values()].reverse();
}

/** br_warn under net_ratelimit (10 messages per 5 s): a kernel log line
 * (dmesg), also kept in the trace as a warning. */
export function br_warn(br: NetBridge, msg: string): void {
  const net = net_of(br);
  const now = net.now();
  const w = br.warn;
  if (now - w.last >= 5e9) {
    w.tokens = 10;
    w.last = now;
  }
  if (w.tokens <= 0) {
    w.missed++;
    return;
  }
  w.tokens--;
  printk(net, 4 /* KERN_WARNING */, `${br.dev.name}: ${msg}`);
  net.tracer.warn(null, 'br_warn', `${br.dev.name}: ${msg}`);
}

function sameMac(a: Mac, b: Mac): boolean {
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3] && a[4] === b[4] && a[5] === b[5];
}

/** What ndo_dflt_fdb_dump reports as a device's own ("self") entries: its
 * secondary unicast list (empty here) and its link-layer multicast list.
 * The groups are those Linux joins (multicast membership itself is not
 * modelled): ff02::1 when IPv6 attaches at registration (even with
 * disable_ipv6), and while up 224.0.0.1 (ip_mc_up) and, on a bridge, the
 * all-snoopers groups 224.0.0.106 and ff02::6a (br_multicast_join_snoopers). */
export function dev_fdb_self_entries(dev: NetDevice): Mac[] {
  if (dev.type !== 1) return []; // ARPHRD_ETHER only
  const mac = (...b: number[]) => new Uint8Array(b);
  const l = [mac(0x33, 0x33, 0, 0, 0, 1)];
  if (dev.up) {
    if (dev.kind === 'bridge' && (dev.priv as NetBridge).multicast_enabled) l.push(mac(0x01, 0x00, 0x5e, 0, 0, 0x6a), mac(0x33, 0x33, 0, 0, 0, 0x6a));
    l.push(mac(0x01, 0x00, 0x5e, 0, 0, 1));
  }
  return l;
}
