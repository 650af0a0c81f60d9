// net/ipv4/devinet.c and fib_frontend.c: IPv4 addresses on devices and the
// routes the kernel adds for them (local, prefix, broadcast), plus
// inet_select_addr, which picks source addresses.
import type { Net } from '../net_namespace.js';
import type { NetDevice } from '../core/netdevice.js';
import { inet_make_mask, ipv4_is_zeronet } from '../wire/ip.js';
import {
  type FibAlias,
  RTN_BROADCAST,
  RTN_LOCAL,
  RTN_UNICAST,
  RT_SCOPE_HOST,
  RT_SCOPE_LINK,
  RT_SCOPE_UNIVERSE,
  RTPROT_KERNEL,
  RT_TABLE_LOCAL,
  RT_TABLE_MAIN,
} from './fib.js';

export const IFA_F_SECONDARY = 0x01;
export const IFA_F_NOPREFIXROUTE = 0x200;
export const IFA_F_PERMANENT = 0x80;

export interface InIfaddr {
  local: number;
  address: number;
  prefixlen: number;
  mask: number;
  broadcast: number;
  scope: number;
  flags: number;
  label: string;
}

/** struct in_device: the IPv4 side of a net_device. */
export class InDevice {
  ifa_list: InIfaddr[] = [];
  /** cnf.forwarding as last read, and the sysctl generation and device name it was read for. */
  cnf_forwarding = false;
  cnf_gen = -1;
  cnf_name = '';
  constructor(readonly dev: NetDevice) {}
}

export function in_dev_get(dev: NetDevice): InDevice {
  return (dev.ip_ptr ??= new InDevice(dev));
}

/** IN_DEV_FORWARD: net.ipv4.conf.<dev>.forwarding, kept in the in_device
 * as its cnf is (read again after any sysctl change or a rename). */
export function IN_DEV_FORWARD(net: Net, dev: NetDevice): boolean {
  const ind = dev.ip_ptr;
  if (ind === null) return net.sysctl.confInt(dev.name, 'forwarding') !== 0;
  const gen = net.sysctl.gen;
  if (ind.cnf_gen !== gen || ind.cnf_name !== dev.name) {
    ind.cnf_forwarding = net.sysctl.confInt(dev.name, 'forwarding') !== 0;
    ind.cnf_gen = gen;
    ind.cnf_name = dev.name;
  }
  return ind.cnf_forwarding;
}

export function IN_DEV_CONF(net: Net, dev: NetDevice, name: string): number {
  const all = net.sysctl.confInt('all', name);
  const own = net.sysctl.confInt(dev.name, name);
  return Math.max(all, own);
}

/** inet_insert_ifa. Returns null or an error as ip prints it. */
export function inet_insert_ifa(net: Net, dev: NetDevice, ifa: InIfaddr): string | null {
  const ind = in_dev_get(dev);
  for (const o of ind.ifa_list) {
    if (o.local === ifa.local && o.prefixlen === ifa.prefixlen) return 'EEXIST';
  }
  // A second address in the same subnet becomes secondary.
  const primary = ind.ifa_list.find((o) => !(o.flags & IFA_F_SECONDARY) && o.mask === ifa.mask && ((o.address ^ ifa.address) & ifa.mask) === 0);
  if (primary) ifa.flags |= IFA_F_SECONDARY;
  // Primaries go before secondaries; the new primary goes after the last primary of wider or equal scope.
  if (ifa.flags & IFA_F_SECONDARY) ind.ifa_list.push(ifa);
  else {
    let i = 0;
    while (i < ind.ifa_list.length && !(ind.ifa_list[i].flags & IFA_F_SECONDARY) && ind.ifa_list[i].scope <= ifa.scope) i++;
    ind.ifa_list.splice(i, 0, ifa);
  }
  inet_addrs_changed();
  // NETDEV_UP for the address: the local route always, the rest only on an up device.
  fib_add_ifaddr(net, ifa, dev);
  return null;
}

/** inet_del_ifa + fib_del_ifaddr. */
export function inet_del_ifa(net: Net, dev: NetDevice, ifa: InIfaddr): void {
  const ind = in_dev_get(dev);
  ind.ifa_list = ind.ifa_list.filter((x) => x !== ifa);
  inet_addrs_changed();
  // Deleting a primary deletes its secondaries (promote_secondaries=0... 1 in
  // newer defaults promotes; we follow the sysctl).
  if (!(ifa.flags & IFA_F_SECONDARY)) {
    const promote = net.sysctlInt(`net.ipv4.conf.${dev.name}.promote_secondaries`) || net.sysctlInt('net.ipv4.conf.all.promote_secondaries');
    const secs = ind.ifa_list.filter((x) => x.flags & IFA_F_SECONDARY && x.mask === ifa.mask && ((x.address ^ ifa.address) & ifa.mask) === 0);
    if (promote && secs.length) secs[0].flags &= ~IFA_F_SECONDARY;
    else ind.ifa_list = ind.ifa_list.filter((x) => !secs.includes(x));
  }
  fib_del_ifaddr(net, dev);
}

function kernelRoute(table: number, type: number, dst: number, plen: number, dev: NetDevice, prefsrc: number): FibAlias {
  return {
    dst,
    plen,
    tos: 0,
    type,
    scope: type === RTN_LOCAL ? RT_SCOPE_HOST : RT_SCOPE_LINK,
    protocol: RTPROT_KERNEL,
    priority: 0,
    prefsrc,
    table,
    nh: { gw: 0, dev, onlink: false, exceptions: new Map() },
    mtu: 0,
    dead: false,
  };
}

/** fib_magic: add a kernel route; local and broadcast go to the local table. */
function fib_magic(net: Net, type: number, dst: number, plen: number, dev: NetDevice, prefsrc: number): void {
  const table = type === RTN_UNICAST ? RT_TABLE_MAIN : RT_TABLE_LOCAL;
  net.fib.table(table).insert(kernelRoute(table, type, dst, plen, dev, prefsrc), { excl: false, replace: false, append: true });
}

/** fib_add_ifaddr: the routes an address brings. */
export function fib_add_ifaddr(net: Net, ifa: InIfaddr, dev: NetDevice): void {
  const prim = ifa.flags & IFA_F_SECONDARY ? primaryFor(dev, ifa) : ifa;
  const prefsrc = prim ? prim.local : ifa.local;
  const mask = ifa.mask;
  const prefix = (ifa.address & mask) >>> 0;
  fib_magic(net, RTN_LOCAL, ifa.local, 32, dev, prefsrc);
  if (!dev.up) return;
  if (ifa.broadcast && ifa.broadcast !== 0xffffffff) fib_magic(net, RTN_BROADCAST, ifa.broadcast, 32, dev, prefsrc);
  if (!ipv4_is_zeronet(prefix) && !(ifa.flags & IFA_F_SECONDARY) && (prefix !== ifa.local || ifa.prefixlen < 32)) {
    if (!(ifa.flags & IFA_F_NOPREFIXROUTE)) fib_magic(net, dev.isLoopback ? RTN_LOCAL : RTN_UNICAST, prefix, ifa.prefixlen, dev, prefsrc);
    if (ifa.prefixlen < 31) fib_magic(net, RTN_BROADCAST, (prefix | ~mask) >>> 0, 32, dev, prefsrc);
  }
}

function primaryFor(dev: NetDevice, ifa: InIfaddr): InIfaddr | undefined {
  return in_dev_get(dev).ifa_list.find((o) => !(o.flags & IFA_F_SECONDARY) && o.mask === ifa.mask && ((o.address ^ ifa.address) & ifa.mask) === 0);
}

/** Rebuild the kernel routes of a device from its addresses (address removed,
 * device up or down): simpler than fib_del_ifaddr's bookkeeping, same result. */
export function fib_del_ifaddr(net: Net, dev: NetDevice): void {
  fib_sync_dev_routes(net, dev);
}

export function fib_sync_dev_routes(net: Net, dev: NetDevice): void {
  for (const t of net.fib.tables.values()) t.flush((fa) => fa.protocol === RTPROT_KERNEL && fa.nh.dev === dev);
  if (!dev.up) {
    // fib_disable_ip -> fib_sync_down_dev: every nexthop through the device
    // dies except host-scope ones, so local addresses stay reachable.
    for (const t of net.fib.tables.values()) t.flush((fa) => fa.nh.dev === dev && fa.type !== RTN_LOCAL);
  }
  for (const ifa of in_dev_get(dev).ifa_list) fib_add_ifaddr(net, ifa, dev);
}

/** inet_select_addr: a source address on dev for talking to dst within scope. */
export function inet_select_addr(net: Net, dev: NetDevice | null, dst: number, scope: number): number {
  let addr = 0;
  if (dev) {
    for (const ifa of in_dev_get(dev).ifa_list) {
      if (ifa.flags & IFA_F_SECONDARY) continue;
      if (ifa.scope > scope) continue;
      if (!dst || ((dst ^ ifa.local) & ifa.mask) === 0) return ifa.local;
      if (!addr) addr = ifa.local;
    }
    if (addr) return addr;
  }
  // Not on dev: any address of scope < link on another device (lo first).
  for (const d of net.devices.values()) {
    for (const ifa of in_dev_get(d).ifa_list) {
      if (ifa.flags & IFA_F_SECONDARY) continue;
      if (ifa.scope !== RT_SCOPE_LINK && ifa.scope !== RT_SCOPE_HOST && ifa.scope <= scope) return ifa.local;
    }
  }
  return 0;
}

/** Is addr one of ours (any device)? Returns the device. */
export function ip_dev_find(net: Net, addr: number): NetDevice | null {
  // __ip_dev_find: any local route counts (127.0.0.5 is ours through 127.0.0.0/8).
  const r = net.fib.local.lookup(addr, RT_SCOPE_UNIVERSE, 0);
  if (r && r.type === RTN_LOCAL) return r.fa.nh.dev;
  // Not one of the device addresses (the usual answer for a packet's
  // source): known without walking every device.
  if (!localAddrs(net).has(addr)) return null;
  for (const d of net.devices.values()) for (const ifa of in_dev_get(d).ifa_list) if (ifa.local === addr) return d;
  return null;
}

/** Bumped whenever an address is added to or removed from a device (or a
 * device's list is dropped): localAddrs is made again after it. */
let addrGen = 0;
export function inet_addrs_changed(): void {
  addrGen++;
}

const addrSets = new WeakMap<Net, { gen: number; ndev: number; set: Set<number> }>();

/** Every device address of the namespace (ifa_local of every in_device). */
function localAddrs(net: Net): Set<number> {
  let c = addrSets.get(net);
  if (c === undefined || c.gen !== addrGen || c.ndev !== net.devices.size) {
    const set = new Set<number>();
    for (const d of net.devices.values()) for (const ifa of in_dev_get(d).ifa_list) set.add(ifa.local);
    addrSets.set(net, (c = { gen: addrGen, ndev: net.devices.size, set }));
  }
  return c.set;
}

export function makeIfa(local: number, prefixlen: number, dev: NetDevice, opts: { broadcast?: number; scope?: number; label?: string; peer?: number } = {}): InIfaddr {
  const mask = inet_make_mask(prefixlen);
  return {
    local,
    address: opts.peer ?? local,
    prefixlen,
    mask,
    broadcast: opts.broadcast ?? 0,
    scope: opts.scope ?? (dev.isLoopback ? RT_SCOPE_HOST : RT_SCOPE_UNIVERSE),
    flags: IFA_F_PERMANENT,
    label: opts.label ?? dev.name,
  };
}

export { RT_SCOPE_UNIVERSE };
