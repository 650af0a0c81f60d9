// iproute2's `ip`: link, addr, route, neigh, as `ip` 6.x prints them.
import type { Proc, ProgramGen } from '../process.js';
import type { Net } from '../../net/net_namespace.js';
import type { NetDevice } from '../../net/core/netdevice.js';
import { IFF_PROMISC } from '../../net/core/netdevice.js';
import { link_flag_names, name_and_link } from './link_flags.js';
import { kernel, out, err, parsePrefix, parseInetLoose } from './util.js';
import { formatIPv4, inet_make_mask } from '../../net/wire/ip.js';
import { formatMac, parseMac } from '../../net/wire/ethernet.js';
import { in_dev_get, inet_insert_ifa, inet_del_ifa, makeIfa, IFA_F_SECONDARY } from '../../net/ipv4/devinet.js';
import * as F from '../../net/ipv4/fib.js';
import { ip_route_input, ip_route_output_key, RTCF_LOCAL, RTCF_BROADCAST, RTCF_MULTICAST, RTCF_REDIRECTED, RTCF_DOREDIRECT, type Rtable } from '../../net/ipv4/route.js';
import { NUD_NAMES, NUD_NOARP, NUD_PERMANENT, NUD_STALE, NUD_REACHABLE, NUD_FAILED, NUD_INCOMPLETE, NUD_VALID, NEIGH_UPDATE_F_ADMIN, NEIGH_UPDATE_F_OVERRIDE } from '../../net/core/neighbour.js';
import { IP_USAGE, IP_ROUTE_USAGE } from './usage.js';
import { dev_open, dev_close, dev_set_mac_address, dev_alloc_name } from '../../net/core/dev.js';
import { veth_newlink, veth_dellink } from '../../drivers/veth.js';
import { br_dev_newlink, br_dev_delete, br_from_dev } from '../../net/bridge/br_device.js';
import { br_add_if, br_del_if, type BrError } from '../../net/bridge/br_if.js';
import { br_set_ageing_time } from '../../net/bridge/br_stp_if.js';

class IpError extends Error {
  constructor(
    msg: string,
    readonly code = 1,
  ) {
    super(msg);
  }
}

const RTNL: Record<string, string> = {
  EEXIST: 'File exists',
  ESRCH: 'No such process',
  ENETUNREACH: 'Network is unreachable',
  EHOSTUNREACH: 'No route to host',
  EINVAL: 'Invalid argument',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  ENODEV: 'No such device',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  EOPNOTSUPP: 'Operation not supported',
  EBUSY: 'Device or resource busy',
  ELOOP: 'Too many levels of symbolic links',
  ENOENT: 'No such file or directory',
};

function rtnl(errno: string): IpError {
  return new IpError(`RTNETLINK answers: ${RTNL[errno] ?? errno}\n`, 2);
}

/** For `show`/`list`: iproute2's ll_name_to_index failure message. */
function devForShow(net: Net, name: string): NetDevice {
  const d = net.dev_get_by_name(name);
  if (!d) throw new IpError(`Device "${name}" does not exist.\n`, 1);
  return d;
}

function devOrDie(net: Net, name: string | undefined): NetDevice {
  if (name === undefined) throw new IpError('Not enough information: "dev" argument is required.\n', 1);
  const d = net.dev_get_by_name(name);
  if (!d) throw new IpError(`Cannot find device "${name}"\n`, 1);
  return d;
}

function matches(word: string, full: string): boolean {
  return word.length > 0 && full.startsWith(word);
}

export function* ip(p: Proc): ProgramGen {
  const net = kernel(p);
  const args = p.argv.slice(1);
  const o = { family4: false, family6: false, stats: 0, brief: false, details: false };
  while (args.length && args[0].startsWith('-')) {
    const a = args.shift()!;
    if (a === '-4') [o.family4, o.family6] = [true, false];
    else if (a === '-6') [o.family4, o.family6] = [false, true]; // the last family option wins
    else if (a === '-s' || a === '-stats' || a === '-statistics') o.stats++;
    else if (a === '-br' || a === '-brief') o.brief = true;
    else if (a === '-d' || a === '-details') o.details = true;
    else if (a === '-h' || a === '-help') return usage(p);
    else if (a === '-c' || a === '-color' || a.startsWith('-color=')) continue;
    else if (a === '-n' || a === '-netns') {
      err(p, 'Cannot open network namespace: not supported in this lab\n');
      return 1;
    } else {
      err(p, `Option "${a}" is unknown, try "ip -help".\n`);
      return 255;
    }
  }
  const obj = args.shift() ?? '';
  try {
    if (obj === '') return usage(p);
    if (matches(obj, 'address')) return ipaddr(p, net, args, o);
    if (matches(obj, 'link')) return iplink(p, net, args, o);
    if (matches(obj, 'route') || obj === 'r' || obj === 'ro') return iproute(p, net, args, o);
    if (matches(obj, 'neighbour') || matches(obj, 'neighbor')) return ipneigh(p, net, args);
    if (matches(obj, 'help')) return usage(p);
    err(p, `Object "${obj}" is unknown, try "ip help".\n`);
    return 1;
  } catch (e) {
    if (e instanceof IpError) {
      err(p, e.message);
      return e.code;
    }
    throw e;
  }
}

function usage(p: Proc): number {
  err(p, IP_USAGE);
  return 255;
}

/** NEXT_ARG(): a keyword's value, or iproute2's incomplete_command(). */
function nextArg(args: string[]): string {
  const v = args.shift();
  if (v === undefined) throw new IpError('Command line is not complete. Try option "help"\n', 255);
  return v;
}

/** get_u32 (strtoul, base 0): decimal, 0x hex or 0 octal. */
function u32(v: string): number | null {
  const n = /^0x[0-9a-f]+$/i.test(v) ? parseInt(v, 16) : /^0[0-7]*$/.test(v) ? parseInt(v, 8) : /^[1-9]\d*$/.test(v) ? Number(v) : NaN;
  return Number.isFinite(n) && n <= 0xffffffff ? n : null;
}

// ---- link ---------------------------------------------------------------------

function operstate(d: NetDevice): string {
  if (d.isLoopback) return d.up ? 'UNKNOWN' : 'DOWN';
  if (!d.up) return 'DOWN';
  if (d.carrier) return 'UP';
  // default_operstate: no carrier because the device it sits on (iflink) is not up.
  const lower = d.iflink && d.iflink !== d.ifindex ? d.net.dev_get_by_index(d.iflink) : undefined;
  return lower && !lower.operational ? 'LOWERLAYERDOWN' : 'DOWN';
}

function linkHeader(d: NetDevice, withMode: boolean): string {
  const q = d.qdisc ? d.qdisc.kind : 'noqueue';
  const master = d.master ? ` master ${d.master.name}` : '';
  const nl = name_and_link(d);
  return `${d.ifindex}: ${nl.name}: <${link_flag_names(d)}${nl.mdown ? ',M-DOWN' : ''}> mtu ${d.mtu} qdisc ${q}${master} state ${operstate(d)}${withMode ? ' mode DEFAULT' : ''} group default qlen ${d.tx_queue_len}\n`;
}

function linkLine(d: NetDevice): string {
  if (d.isLoopback) return `    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n`;
  return `    link/ether ${formatMac(d.dev_addr)} brd ${formatMac(d.broadcast)}\n`;
}

function statsLines(d: NetDevice): string {
  const s = d.stats;
  const row = (vals: number[], widths: number[]) => '    ' + vals.map((v, i) => String(v).padEnd(widths[i])).join(' ').trimEnd() + '\n';
  return (
    '    RX:  bytes packets errors dropped  missed   mcast           \n' +
    row([s.rx_bytes, s.rx_packets, s.rx_errors, s.rx_dropped, s.rx_missed_errors, s.multicast], [10, 7, 6, 7, 7, 7]) +
    '    TX:  bytes packets errors dropped carrier collsns           \n' +
    row([s.tx_bytes, s.tx_packets, s.tx_errors, s.tx_dropped, s.tx_carrier_errors, s.collisions], [10, 7, 6, 7, 7, 7])
  );
}

function iplink(p: Proc, net: Net, args: string[], o: { stats: number; brief: boolean }): number {
  const cmd = args.shift() ?? 'show';
  if (matches(cmd, 'show') || matches(cmd, 'list') || cmd === 'lst') {
    let devs = [...net.devices.values()];
    const mi = args.indexOf('master');
    if (mi >= 0) {
      const m = devForShow(net, args[mi + 1] ?? '');
      devs = devs.filter((d) => d.master === m);
      args.splice(mi, 2);
    }
    const ti = args.indexOf('type');
    if (ti >= 0) {
      const kind = args[ti + 1] ?? '';
      devs = devs.filter((d) => (kind.endsWith('_slave') ? d.master?.kind === kind.slice(0, -6) : d.kind === kind));
      args.splice(ti, 2);
    }
    if (args[0] === 'dev') args.shift();
    if (args[0] && args[0] !== 'up') devs = [devForShow(net, args[0])];
    if (args.includes('up')) devs = devs.filter((d) => d.up);
    for (const d of devs) {
      if (o.brief) {
        out(p, `${name_and_link(d).name.padEnd(16)} ${operstate(d).padEnd(14)} ${d.isLoopback ? '00:00:00:00:00:00' : formatMac(d.dev_addr)} <${link_flag_names(d)}> \n`);
        continue;
      }
      out(p, linkHeader(d, true) + linkLine(d) + (o.stats ? statsLines(d) : ''));
    }
    return 0;
  }
  if (cmd === 'set') {
    let devName: string | undefined;
    if (args[0] === 'dev') args.shift();
    devName = args.shift();
    const d = devOrDie(net, devName);
    while (args.length) {
      const a = args.shift()!;
      if (a === 'up') link_up(net, d, true);
      else if (a === 'down') link_up(net, d, false);
      else if (a === 'mtu') {
        const arg = nextArg(args);
        const v = u32(arg) ?? NaN;
        if (!Number.isInteger(v)) throw new IpError(`Error: argument "${arg}" is wrong: Invalid "mtu" value\n\n`, 255);
        if (v < d.min_mtu || v > d.max_mtu) throw new IpError(`Error: mtu ${v < d.min_mtu ? 'less than device minimum' : 'greater than device maximum'}.\n`, 2);
        d.mtu = v;
        for (const t of net.fib.tables.values()) t.genid++;
      } else if (a === 'address') {
        const m = parseMac(args.shift() ?? '');
        if (!m) throw new IpError('Error: "address" value is invalid\n', 1);
        dev_set_mac_address(net, d, m);
      } else if (a === 'txqueuelen' || a === 'txqlen' || a === 'qlen') {
        d.tx_queue_len = Number(args.shift());
      } else if (a === 'promisc') {
        const v = args.shift();
        d.flags = v === 'on' ? d.flags | IFF_PROMISC : d.flags & ~IFF_PROMISC;
      } else if (a === 'name') {
        d.name = args.shift()!;
      } else if (a === 'master' || a === 'nomaster') {
        link_set_master(net, d, a === 'master' ? args.shift() ?? '' : null);
      } else if (a === 'type') {
        link_changelink(d, args);
      } else throw new IpError(`Error: either "dev" is duplicate, or "${a}" is a garbage.\n`, 255);
    }
    return 0;
  }
  if (cmd === 'add') return link_add(net, args);
  if (matches(cmd, 'delete')) return link_del(net, args);
  err(p, `Command "${cmd}" is unknown, try "ip link help".\n`);
  return 255;
}

function link_up(net: Net, d: NetDevice, up: boolean): void {
  if (up) dev_open(net, d); // ndo_open, IFF_UP, routes back, NETDEV_UP
  else dev_close(net, d); // ndo_stop, neighbours and routes gone, NETDEV_DOWN
}

// ---- link add / delete / master: veth pairs and bridges -----------------------

function brFail(e: BrError): never {
  if (e.extack) throw new IpError(`Error: ${e.extack}.\n`, 2);
  throw rtnl(e.errno);
}

/** do_set_master: leave the current master, then join the new one (ifname
 * null: nomaster). Only a bridge takes slaves here (ndo_add_slave). */
function link_set_master(net: Net, d: NetDevice, masterName: string | null): void {
  let m: NetDevice | null = null;
  if (masterName !== null) {
    const found = net.dev_get_by_name(masterName);
    if (!found) throw new IpError(`Error: argument "${masterName}" is wrong: Device does not exist\n\n`, 255);
    m = found;
  }
  if (d.master) {
    if (d.master === m) return;
    const old = br_from_dev(d.master);
    if (!old) throw rtnl('EOPNOTSUPP');
    const e = br_del_if(old, d);
    if (e) brFail(e);
  }
  if (!m) return;
  const br = br_from_dev(m);
  if (!br) throw rtnl('EOPNOTSUPP');
  const e = br_add_if(br, d);
  if (e) brFail(e);
}

/** Bridge options of `type bridge ...` (ageing_time and forward_delay in
 * centiseconds, as clock_t). STP itself is not modelled. */
function bridgeOpts(args: string[]): { ageing_time?: number; forward_delay?: number; mcast_snooping?: boolean } {
  const o: { ageing_time?: number; forward_delay?: number; mcast_snooping?: boolean } = {};
  while (args.length) {
    const a = args.shift()!;
    const v = args.shift() ?? '';
    const n = Number(v);
    if (!/^\d+$/.test(v)) throw new IpError(`Error: argument "${v}" is wrong: invalid ${a}\n\n`, 255);
    if (a === 'ageing_time') o.ageing_time = n * 10_000_000;
    else if (a === 'forward_delay') o.forward_delay = n * 10_000_000;
    else if (a === 'mcast_snooping') o.mcast_snooping = n !== 0;
    else if (a === 'stp_state') {
      if (n !== 0) throw new IpError('Error: STP is not modelled by this simulator (only stp_state 0).\n', 2);
    } else throw new IpError(`bridge: unknown command "${a}"?\n`, 255);
  }
  return o;
}

/** ip link set DEV type bridge ...: changelink. */
function link_changelink(d: NetDevice, args: string[]): void {
  const kind = args.shift();
  const br = br_from_dev(d);
  if (kind !== 'bridge' || !br) throw rtnl('EOPNOTSUPP');
  const o = bridgeOpts(args.splice(0));
  if (o.ageing_time !== undefined) br_set_ageing_time(br, o.ageing_time);
  if (o.forward_delay !== undefined) br.forward_delay = o.forward_delay;
  if (o.mcast_snooping !== undefined) br.multicast_enabled = o.mcast_snooping;
}

interface LinkArgs {
  name?: string;
  address?: Uint8Array;
  mtu?: number;
  up: boolean;
  type?: string;
  rest: string[];
}

/** iproute2's check_ifname: no '/', no blanks. */
function checkIfname(name: string | undefined, what: 'dev' | 'name'): string {
  if (!name || /[/\s]/.test(name)) throw new IpError(`Error: argument "${name ?? ''}" is wrong: "${what}" not a valid ifname\n`, 255);
  return name;
}

/** The kernel's IFLA_IFNAME policy and dev_valid_name. */
function kernelCheckIfname(name: string | undefined): void {
  if (name === undefined) return;
  if (name.length >= 16) throw new IpError('Error: Attribute failed policy validation.\n', 2);
  if (name === '.' || name === '..' || name.includes(':')) throw rtnl('EINVAL');
}

/** iplink_parse: [name] NAME [address LLADDR] [mtu MTU] [up] [type TYPE ARGS...]. */
function parseLinkArgs(args: string[]): LinkArgs {
  const l: LinkArgs = { up: false, rest: [] };
  while (args.length) {
    const a = args.shift()!;
    if (a === 'type') {
      l.type = args.shift();
      l.rest = args.splice(0);
    } else if (a === 'name' || a === 'dev') l.name = checkIfname(args.shift(), a);
    else if (a === 'address') {
      const m = parseMac(args.shift() ?? '');
      if (!m) throw new IpError('Error: "address" value is invalid\n', 1);
      l.address = m;
    } else if (a === 'mtu') {
      const v = args.shift() ?? '';
      if (!/^\d+$/.test(v)) throw new IpError(`Error: argument "${v}" is wrong: Invalid "mtu" value\n\n`, 255);
      l.mtu = Number(v);
    } else if (a === 'up') l.up = true;
    else if (a === 'txqueuelen' || a === 'qlen' || a === 'txqlen') args.shift();
    else if (l.name === undefined) l.name = checkIfname(a, 'dev');
    else throw new IpError(`Error: either "dev" is duplicate, or "${a}" is a garbage.\n`, 255);
  }
  return l;
}

/** ip link add ...: rtnl_newlink for the kinds modelled (veth, bridge). */
function link_add(net: Net, args: string[]): number {
  const l = parseLinkArgs(args);
  if (!l.type) throw new IpError('Not enough information: "type" argument is required\n', 1);
  // ip parses everything (the veth peer too) before the kernel sees a name.
  let peer: LinkArgs = { up: false, rest: [] };
  if (l.type === 'veth' && l.rest.length) {
    if (l.rest[0] !== 'peer') throw new IpError('Usage: ip link <options> type veth [peer <options>]\nTo get <options> type \'ip link add help\'\n', 255);
    peer = parseLinkArgs(l.rest.slice(1));
  }
  kernelCheckIfname(l.name);
  if (l.name !== undefined && net.dev_get_by_name(l.name)) throw rtnl('EEXIST');
  let dev: NetDevice;
  if (l.type === 'veth') {
    kernelCheckIfname(peer.name);
    if (peer.name !== undefined && (net.dev_get_by_name(peer.name) || peer.name === l.name)) throw rtnl('EEXIST');
    [dev] = veth_newlink(net, { name: l.name, address: l.address, mtu: l.mtu }, { name: peer.name, address: peer.address, mtu: peer.mtu });
  } else if (l.type === 'bridge') {
    const o = bridgeOpts(l.rest);
    dev = br_dev_newlink(net, l.name ?? dev_alloc_name(net, 'bridge%d'), { address: l.address, mtu: l.mtu, ageing_time: o.ageing_time });
    if (o.forward_delay !== undefined) br_from_dev(dev)!.forward_delay = o.forward_delay;
    if (o.mcast_snooping !== undefined) br_from_dev(dev)!.multicast_enabled = o.mcast_snooping;
  } else throw new IpError('Error: Unknown device type.\n', 2);
  if (l.up) dev_open(net, dev);
  return 0;
}

/** ip link delete DEV: rtnl_dellink; only devices with link ops (veth,
 * bridge) can be deleted. */
function link_del(net: Net, args: string[]): number {
  const l = parseLinkArgs(args);
  if (l.name === undefined) throw new IpError('Not enough information: "dev" argument is required.\n', 1);
  const d = net.dev_get_by_name(l.name);
  if (!d) throw new IpError(`Cannot find device "${l.name}"\n`, 1);
  const br = br_from_dev(d);
  if (d.kind === 'veth') veth_dellink(net, d);
  else if (br) br_dev_delete(br);
  else throw rtnl('EOPNOTSUPP');
  return 0;
}

// ---- addr ---------------------------------------------------------------------

function ipaddr(p: Proc, net: Net, args: string[], o: { family4: boolean; family6?: boolean; brief: boolean }): number {
  const cmd = args.shift() ?? 'show';
  if (matches(cmd, 'show') || matches(cmd, 'list') || cmd === 'lst') {
    let devs = [...net.devices.values()];
    if (args[0] === 'dev') args.shift();
    if (args[0] && args[0] !== 'up') devs = [devForShow(net, args[0])];
    if (args.includes('up')) devs = devs.filter((d) => d.up);
    if (o.family6) devs = []; // IPv6 is off on every host: no interface has an inet6 address
    for (const d of devs) {
      const ifas = in_dev_get(d).ifa_list;
      if (o.brief) {
        out(p, `${d.name.padEnd(16)} ${operstate(d).padEnd(14)} ${ifas.map((i) => `${formatIPv4(i.local)}/${i.prefixlen}`).join(' ')} \n`);
        continue;
      }
      if (o.family4 && !ifas.length) continue;
      let s = linkHeader(d, false);
      if (!o.family4) s += linkLine(d);
      for (const i of ifas) {
        s += `    inet ${formatIPv4(i.local)}/${i.prefixlen}`;
        if (i.broadcast) s += ` brd ${formatIPv4(i.broadcast)}`;
        s += ` scope ${scopeName(i.scope)}${i.flags & IFA_F_SECONDARY ? ' secondary' : ''} ${i.label}\n`;
        s += `       valid_lft forever preferred_lft forever\n`;
      }
      out(p, s);
    }
    return 0;
  }
  if (cmd === 'add' || cmd === 'a' || cmd === 'replace' || matches(cmd, 'delete')) {
    let local: ReturnType<typeof parsePrefix> = null;
    let devName: string | undefined;
    let brd: string | undefined;
    let scope: number | undefined;
    let label: string | undefined;
    while (args.length) {
      const a = args.shift()!;
      if (a === 'dev') devName = nextArg(args);
      else if (a === 'brd' || a === 'broadcast') brd = nextArg(args);
      else if (a === 'scope') scope = scopeNum(nextArg(args));
      else if (a === 'label') label = nextArg(args);
      else if (a === 'local') local = parsePrefix(nextArg(args));
      else {
        local = parsePrefix(a);
        if (!local) throw new IpError(`Error: any valid prefix is expected rather than "${a}".\n`, 1);
      }
    }
    const d = devOrDie(net, devName); // ipaddr_modify asks for the device first
    if (!local) throw new IpError('Not enough information: "local" argument is required.\n', 1);
    if (matches(cmd, 'delete')) {
      if (!local.hasLen)
        err(
          p,
          `Warning: Executing wildcard deletion to stay compatible with old scripts.\n         Explicitly specify the prefix length (${formatIPv4(local.addr)}/32) to avoid this warning.\n         This special behaviour is likely to disappear in further releases,\n         fix your scripts!\n`,
        );
      const ifa = in_dev_get(d).ifa_list.find((i) => i.local === local!.addr && (!local!.hasLen || i.prefixlen === local!.plen));
      if (!ifa) throw new IpError('Error: ipv4: Address not found.\n', 2);
      inet_del_ifa(net, d, ifa);
      return 0;
    }
    const plen = local.hasLen ? local.plen : 32;
    let broadcast = 0;
    if (brd === '+') broadcast = (local.addr | ~inet_make_mask(plen)) >>> 0;
    else if (brd === '-') broadcast = (local.addr & inet_make_mask(plen)) >>> 0;
    else if (brd) broadcast = parseInetLoose(brd) ?? 0;
    const ifa = makeIfa(local.addr, plen, d, { broadcast, scope, label });
    const e = inet_insert_ifa(net, d, ifa);
    if (e === 'EEXIST') {
      if (cmd === 'replace') return 0;
      throw new IpError('Error: ipv4: Address already assigned.\n', 2);
    }
    return 0;
  }
  if (matches(cmd, 'flush')) {
    if (args[0] === 'dev') args.shift();
    const d = devOrDie(net, args[0]);
    for (const i of [...in_dev_get(d).ifa_list].reverse()) inet_del_ifa(net, d, i);
    return 0;
  }
  err(p, `Command "${cmd}" is unknown, try "ip address help".\n`);
  return 255;
}

const SCOPES: [number, string][] = [
  [F.RT_SCOPE_UNIVERSE, 'global'],
  [F.RT_SCOPE_SITE, 'site'],
  [F.RT_SCOPE_LINK, 'link'],
  [F.RT_SCOPE_HOST, 'host'],
  [F.RT_SCOPE_NOWHERE, 'nowhere'],
];
function scopeName(s: number): string {
  return SCOPES.find(([n]) => n === s)?.[1] ?? String(s);
}
function scopeNum(s: string): number {
  const f = SCOPES.find(([, n]) => n === s);
  if (f) return f[0];
  if (s === 'universe') return 0;
  const n = Number(s);
  if (!Number.isInteger(n)) throw new IpError(`Error: argument "${s}" is wrong: invalid scope value.\n`, 255);
  return n;
}
const PROTOS: [number, string][] = [
  [F.RTPROT_REDIRECT, 'redirect'],
  [F.RTPROT_KERNEL, 'kernel'],
  [F.RTPROT_BOOT, 'boot'],
  [F.RTPROT_STATIC, 'static'],
  [16, 'dhcp'],
  [186, 'bgp'],
  [188, 'ospf'],
];
function protoName(n: number): string {
  return PROTOS.find(([x]) => x === n)?.[1] ?? String(n);
}

// ---- route --------------------------------------------------------------------

function routeLine(fa: F.FibAlias, showType: boolean, showTable: boolean): string {
  let s = '';
  if (showType || fa.type !== F.RTN_UNICAST) s += F.RTN_NAMES[fa.type] + ' ';
  s += fa.plen === 0 && fa.dst === 0 ? 'default' : fa.plen === 32 ? formatIPv4(fa.dst) : `${formatIPv4(fa.dst)}/${fa.plen}`;
  if (fa.tos) s += ` tos 0x${fa.tos.toString(16).padStart(2, '0')}`;
  if (fa.nh.gw) s += ` via ${formatIPv4(fa.nh.gw)}`;
  if (fa.nh.dev && fa.type !== F.RTN_UNREACHABLE && fa.type !== F.RTN_BLACKHOLE && fa.type !== F.RTN_PROHIBIT) s += ` dev ${fa.nh.dev.name}`;
  if (showTable && fa.table !== F.RT_TABLE_MAIN) s += ` table ${fa.table === F.RT_TABLE_LOCAL ? 'local' : fa.table}`;
  if (fa.protocol !== F.RTPROT_BOOT) s += ` proto ${protoName(fa.protocol)}`;
  if (fa.scope !== F.RT_SCOPE_UNIVERSE) s += ` scope ${scopeName(fa.scope)}`;
  if (fa.prefsrc) s += ` src ${formatIPv4(fa.prefsrc)}`;
  if (fa.priority) s += ` metric ${fa.priority}`;
  if (fa.nh.onlink) s += ' onlink';
  if (fa.nh.dev && !fa.nh.dev.carrier && fa.nh.dev.up) s += ' linkdown';
  if (fa.mtu) s += ` mtu ${fa.mtu}`;
  return s + ' \n';
}

function tableId(s: string): number {
  if (s === 'main') return F.RT_TABLE_MAIN;
  if (s === 'local') return F.RT_TABLE_LOCAL;
  if (s === 'default') return F.RT_TABLE_DEFAULT;
  if (s === 'all') return -1;
  const n = Number(s);
  if (!Number.isInteger(n) || n < 0) throw new IpError(`Error: argument "${s}" is wrong: "table" value is invalid\n`, 255);
  return n;
}

const TYPES: Record<string, number> = { unicast: F.RTN_UNICAST, local: F.RTN_LOCAL, broadcast: F.RTN_BROADCAST, blackhole: F.RTN_BLACKHOLE, unreachable: F.RTN_UNREACHABLE, prohibit: F.RTN_PROHIBIT, throw: F.RTN_THROW, multicast: F.RTN_MULTICAST, anycast: F.RTN_ANYCAST };

function iproute(p: Proc, net: Net, args: string[], o: { family4: boolean }): number {
  const cmd = args.shift() ?? 'show';
  if (matches(cmd, 'show') || matches(cmd, 'list') || cmd === 'lst') {
    let table = F.RT_TABLE_MAIN;
    let devFilter: NetDevice | null = null;
    let prefixFilter: ReturnType<typeof parsePrefix> = null;
    let cache = false;
    while (args.length) {
      const a = args.shift()!;
      if (a === 'table') table = tableId(args.shift() ?? '');
      else if (a === 'dev') devFilter = devOrDie(net, args.shift());
      else if (a === 'root' || a === 'match' || a === 'exact') prefixFilter = parsePrefix(args.shift() ?? '');
      else if (a === 'cache') cache = true;
      else prefixFilter = parsePrefix(a);
    }
    if (cache) return routeShowCache(p, net, devFilter);
    const tables = table === -1 ? [...net.fib.tables.values()] : [net.fib.tables.get(table)].filter((t): t is F.FibTable => !!t);
    for (const t of tables) {
      for (const fa of t.dump()) {
        if (devFilter && fa.nh.dev !== devFilter) continue;
        if (prefixFilter && (fa.dst !== ((prefixFilter.addr & inet_make_mask(prefixFilter.plen)) >>> 0) || fa.plen !== prefixFilter.plen)) continue;
        let line = routeLine(fa, t.id === F.RT_TABLE_LOCAL, table === -1);
        if (devFilter) line = line.replace(` dev ${devFilter.name}`, '');
        out(p, line);
      }
    }
    return 0;
  }
  if (cmd === 'get') return routeGet(p, net, args);
  if (matches(cmd, 'flush')) {
    let table = F.RT_TABLE_MAIN;
    let dev: NetDevice | null = null;
    while (args.length) {
      const a = args.shift()!;
      if (a === 'table') table = tableId(args.shift()!);
      else if (a === 'dev') dev = devOrDie(net, args.shift());
    }
    net.fib.tables.get(table)?.flush((fa) => !dev || fa.nh.dev === dev);
    return 0;
  }
  const verbs: Record<string, 'add' | 'del' | 'replace' | 'append' | 'change'> = { add: 'add', a: 'add', del: 'del', delete: 'del', d: 'del', replace: 'replace', append: 'append', change: 'change', prepend: 'add' };
  const verb = verbs[cmd];
  if (!verb) {
    err(p, `Command "${cmd}" is unknown, try "ip route help".\n`);
    return 255;
  }
  // Parse the route spec.
  let type = F.RTN_UNICAST;
  let dst: ReturnType<typeof parsePrefix> = null;
  let gw = 0;
  let dev: NetDevice | null = null;
  let metric = 0;
  let src = 0;
  let table = F.RT_TABLE_MAIN;
  let proto = F.RTPROT_BOOT;
  let scope: number | null = null;
  let onlink = false;
  let mtu = 0;
  const has = new Set<string>();
  while (args.length) {
    const a = args.shift()!;
    if (a === 'via') {
      const g = nextArg(args);
      const v = parseInetLoose(g.replace(/^inet /, ''));
      if (v === null) throw new IpError(`Error: inet address is expected rather than "${g}".\n`, 1);
      gw = v;
      has.add('gw');
    } else if (a === 'dev' || a === 'oif') {
      dev = devOrDie(net, nextArg(args));
      has.add('dev');
    } else if (a === 'metric' || a === 'priority' || a === 'preference') {
      const v = nextArg(args);
      const m = u32(v);
      if (m === null) throw new IpError(`Error: argument "${v}" is wrong: "metric" value is invalid\n\n`, 255);
      metric = m;
      has.add('priority');
    } else if (a === 'src') {
      src = parseInetLoose(args.shift() ?? '') ?? 0;
      has.add('prefsrc');
    } else if (a === 'table') table = tableId(args.shift() ?? '');
    else if (a === 'proto' || a === 'protocol') {
      const v = args.shift() ?? '';
      proto = PROTOS.find(([, n]) => n === v)?.[0] ?? Number(v);
      has.add('protocol');
    } else if (a === 'scope') {
      scope = scopeNum(args.shift() ?? '');
      has.add('scope');
    } else if (a === 'onlink') onlink = true;
    else if (a === 'mtu') {
      let v = args.shift();
      if (v === 'lock') v = args.shift();
      mtu = Number(v);
    } else if (a in TYPES && !dst) {
      type = TYPES[a];
      has.add('type');
      if (type === F.RTN_LOCAL || type === F.RTN_BROADCAST) table = F.RT_TABLE_LOCAL;
    } else if (a === 'to') {
      dst = parsePrefix(args.shift() ?? '');
    } else if (!dst) {
      dst = parsePrefix(a);
      if (!dst) throw new IpError(`Error: any valid prefix is expected rather than "${a}".\n`, 1);
    } else throw new IpError(`Error: either "to" is duplicate, or "${a}" is a garbage.\n`, 255);
  }
  if (!dst) throw new IpError(IP_ROUTE_USAGE, 255); // iproute_modify: usage()
  if (dst.hasLen && (dst.addr & ~inet_make_mask(dst.plen)) >>> 0) throw new IpError(`Error: Invalid prefix for given prefix length.\n`, 2);
  const t = net.fib.table(table);
  if (verb === 'del') {
    const fa = t.delete({ dst: dst.addr, plen: dst.plen, tos: 0, type, priority: metric, prefsrc: src, protocol: proto, scope: scope ?? 0, nh: { gw, dev, onlink, exceptions: new Map() } } as any, has as any);
    if (!fa) throw rtnl('ESRCH');
    return 0;
  }
  // fib_create_info / fib_check_nh: a gateway must be reachable on-link.
  if (gw) {
    if (!onlink) {
      const r = net.fib.lookup(gw, F.RT_SCOPE_LINK, dev?.ifindex ?? 0);
      if (!r || r.type !== F.RTN_UNICAST || (dev && r.fa.nh.dev !== dev)) throw new IpError('Error: Nexthop has invalid gateway.\n', 2);
      if (!dev) dev = r.fa.nh.dev;
    } else if (!dev) throw new IpError('Error: Nexthop device required for onlink.\n', 2);
  } else if (!dev && type === F.RTN_UNICAST) throw rtnl('ENODEV'); // fib_create_info: no nexthop device
  if (dev && !dev.up && type === F.RTN_UNICAST) throw new IpError('Error: Device for nexthop is not up.\n', 2);
  if (src && !net.fib.local.lookup(src, 0, 0)) throw new IpError('Error: Invalid prefsrc address.\n', 2);
  const defaultScope = type === F.RTN_LOCAL ? F.RT_SCOPE_HOST : type === F.RTN_UNICAST && !gw ? F.RT_SCOPE_LINK : F.RT_SCOPE_UNIVERSE;
  const fa: F.FibAlias = {
    dst: dst.addr,
    plen: dst.plen,
    tos: 0,
    type,
    scope: scope ?? defaultScope,
    protocol: proto,
    priority: metric,
    prefsrc: src,
    table,
    nh: { gw, dev, onlink, exceptions: new Map() },
    mtu,
    dead: false,
  };
  const e = t.insert(fa, { excl: verb === 'add', replace: verb === 'replace' || verb === 'change', append: verb === 'append' });
  if (e) throw rtnl(e);
  return 0;
}

function routeGet(p: Proc, net: Net, args: string[]): number {
  let dst: number | null = null;
  let from = 0;
  let iif: NetDevice | null = null;
  let oif: NetDevice | null = null;
  while (args.length) {
    const a = args.shift()!;
    if (a === 'from') from = parseInetLoose(args.shift() ?? '') ?? 0;
    else if (a === 'iif') iif = devOrDie(net, args.shift());
    else if (a === 'oif' || a === 'dev') oif = devOrDie(net, args.shift());
    else if (a === 'to') dst = parseInetLoose(args.shift() ?? '');
    else if (a === 'fibmatch' || a === 'connected') continue;
    else {
      dst = parseInetLoose(a.split('/')[0]);
      if (dst === null) throw new IpError(`Error: any valid prefix is expected rather than "${a}".\n`, 1);
    }
  }
  if (dst === null) throw new IpError('need at least a destination address\n', 1);
  if (iif) {
    const rt = ip_route_input(net, dst, from, 0, iif);
    if ('err' in rt) throw rtnl(rt.err);
    if (rt.input === 'ip_error') throw rtnl(rt.error ?? 'EHOSTUNREACH');
    out(p, getLine(rt, dst, from, 0, true));
    return 0;
  }
  const fl = { daddr: dst, saddr: from, oif: oif?.ifindex ?? 0, tos: 0, scope: 0, proto: 0 };
  const rt = ip_route_output_key(net, fl);
  if ('err' in rt) throw rtnl(rt.err);
  out(p, getLine(rt, dst, from, fl.saddr, false));
  return 0;
}

/** ip route show cache: the nexthop exceptions (learnt PMTUs) that have
 * not expired, as fib_dump_info_fnhe prints them (no flow: no src, no uid). */
function routeShowCache(p: Proc, net: Net, dev: NetDevice | null): number {
  const now = net.engine.now;
  for (const t of net.fib.tables.values()) {
    for (const fa of t.dump()) {
      if (dev && fa.nh.dev !== dev) continue;
      for (const [daddr, e] of fa.nh.exceptions) {
        if (e.expires <= now) continue;
        let s = `${formatIPv4(daddr)}`;
        if (fa.nh.gw) s += ` via ${formatIPv4(fa.nh.gw)}`;
        s += ` dev ${fa.nh.dev?.name} \n    cache expires ${Math.max(0, Math.round((e.expires - now) / 1e9))}sec mtu ${e.lock ? 'lock ' : ''}${e.pmtu} \n`;
        out(p, s);
      }
    }
  }
  return 0;
}

/** rt_fill_info as `ip route get` prints it. */
function getLine(rt: Rtable, dst: number, from: number, saddr: number, input: boolean): string {
  let s = '';
  if (rt.type !== F.RTN_UNICAST) s += F.RTN_NAMES[rt.type] + ' ';
  s += formatIPv4(dst);
  if (from) s += ` from ${formatIPv4(from)}`;
  if (rt.gw) s += ` via ${formatIPv4(rt.gw)}`;
  s += ` dev ${rt.dev.name}`;
  if (!input && saddr !== from) s += ` src ${formatIPv4(saddr)}`;
  if (!input) s += ' uid 0';
  s += ' \n    cache ';
  const flags: string[] = [];
  if (rt.flags & RTCF_REDIRECTED) flags.push('redirected');
  if (rt.flags & RTCF_DOREDIRECT) flags.push('redirect');
  if (rt.flags & RTCF_LOCAL) flags.push('local');
  if (rt.flags & RTCF_BROADCAST) flags.push('brd');
  if (rt.flags & RTCF_MULTICAST) flags.push('mc');
  if (flags.length) s += `<${flags.join(',')}> `;
  if (rt.pmtu) s += `expires ${Math.max(0, Math.round((rt.pmtuExpires - (rt.dev.net.engine.now)) / 1e9))}sec mtu ${rt.pmtu} `;
  if (input) s += `iif ${rt.dev.net.dev_get_by_index(rt.iif)?.name} `;
  return s + '\n';
}

// ---- neigh --------------------------------------------------------------------

function ipneigh(p: Proc, net: Net, args: string[]): number {
  const cmd = args.shift() ?? 'show';
  if (matches(cmd, 'show') || matches(cmd, 'list') || cmd === 'lst' || matches(cmd, 'flush')) {
    let dev: NetDevice | null = null;
    let nud: number | null = null;
    let to: ReturnType<typeof parsePrefix> = null;
    while (args.length) {
      const a = args.shift()!;
      if (a === 'dev') dev = devOrDie(net, args.shift());
      else if (a === 'nud') {
        const v = (args.shift() ?? '').toUpperCase();
        const bit = v === 'ALL' ? 0xff : v === 'NONE' ? 0 : NUD_NAMES.find(([, n]) => n === v)?.[0];
        if (bit === undefined) throw new IpError(`Error: argument "${v.toLowerCase()}" is wrong: nud state is bad\n`, 255);
        nud = (nud ?? 0) | bit;
      } else if (a === 'to') to = parsePrefix(args.shift() ?? '');
      else {
        to = parsePrefix(a);
        if (!to) throw new IpError(`Error: inet prefix is expected rather than "${a}".\n`, 1);
      }
    }
    const inPrefix = (k: number) => !to || ((k ^ to.addr) & inet_make_mask(to.plen)) === 0;
    const entries = [...net.arp_tbl.entries.values()].filter(
      (n) => (!dev || n.dev === dev) && inPrefix(n.key) && (nud === null ? !(n.nud_state & NUD_NOARP) && n.nud_state !== 0 : n.nud_state & nud),
    );
    if (matches(cmd, 'flush')) {
      if (!dev && args.length === 0 && cmd !== 'flush') return 0;
      for (const n of entries) if (!(n.nud_state & (NUD_PERMANENT | NUD_NOARP))) net.arp_tbl.delete(n);
      return 0;
    }
    for (const n of entries) {
      let s = formatIPv4(n.key);
      if (!dev) s += ` dev ${n.dev.name}`;
      if (n.nud_state & (NUD_REACHABLE | NUD_STALE | 0x08 | 0x10 | NUD_PERMANENT | NUD_NOARP)) s += ` lladdr ${formatMac(n.ha)}`;
      if (n.isRouter) s += ' router';
      s += ` ${NUD_NAMES.find(([b]) => b === n.nud_state)?.[1] ?? 'NONE'} \n`;
      out(p, s);
    }
    return 0;
  }
  if (cmd === 'add' || cmd === 'replace' || cmd === 'change' || matches(cmd, 'delete')) {
    let key: number | null = null;
    let dev: NetDevice | null = null;
    let ll: Uint8Array | null = null;
    let state = NUD_PERMANENT;
    while (args.length) {
      const a = args.shift()!;
      if (a === 'dev') dev = devOrDie(net, args.shift());
      else if (a === 'lladdr') ll = parseMac(args.shift() ?? '');
      else if (a === 'nud') state = NUD_NAMES.find(([, n]) => n === (args.shift() ?? '').toUpperCase())?.[0] ?? NUD_PERMANENT;
      else if (a === 'to') key = parseInetLoose(args.shift() ?? '');
      else key = parseInetLoose(a);
    }
    if (key === null || !dev) throw new IpError('Device and destination are required arguments.\n', 255);
    const existing = net.arp_tbl.lookup(key, dev);
    if (matches(cmd, 'delete')) {
      if (!existing) throw rtnl('ENOENT');
      net.arp_tbl.delete(existing);
      return 0;
    }
    if (existing && cmd === 'add') throw rtnl('EEXIST');
    // __neigh_update: a connected state needs an address, given or already valid.
    if (!ll && state & (NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE) && !(existing && existing.nud_state & NUD_VALID)) {
      throw new IpError('Error: No link layer address given.\n', 2);
    }
    const n = existing ?? net.arp_tbl.create(key, dev);
    net.arp_tbl.update(n, ll, state, NEIGH_UPDATE_F_ADMIN | NEIGH_UPDATE_F_OVERRIDE);
    return 0;
  }
  err(p, `Command "${cmd}" is unknown, try "ip neigh help".\n`);
  return 255;
}

export { NUD_INCOMPLETE };
