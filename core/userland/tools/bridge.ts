// iproute2's `bridge` (6.1): `bridge fdb show` and `bridge link show`, as
// they print the kernel's RTM_GETNEIGH / RTM_GETLINK (AF_BRIDGE) dumps.
import type { Proc, ProgramGen } from '../process.js';
import type { Net } from '../../net/net_namespace.js';
import type { NetDevice } from '../../net/core/netdevice.js';
import { link_flag_names, name_and_link } from './link_flags.js';
import { formatMac } from '../../net/wire/ethernet.js';
import { NUD_PERMANENT, NUD_NOARP, NUD_STALE, NUD_REACHABLE } from '../../net/core/neighbour.js';
import { br_fdb_list, fdb_to_nud, dev_fdb_self_entries } from '../../net/bridge/br_fdb.js';
import { br_from_dev } from '../../net/bridge/br_device.js';
import { br_port_get, BR_PORT_STATES, type NetBridge } from '../../net/bridge/br_private.js';
import { kernel, out, err } from './util.js';

const USAGE =
  'Usage: bridge [ OPTIONS ] OBJECT { COMMAND | help }\n' +
  '       bridge [ -force ] -batch filename\n' +
  'where  OBJECT := { link | fdb | mdb | vlan | monitor }\n' +
  '       OPTIONS := { -V[ersion] | -s[tatistics] | -d[etails] |\n' +
  '                    -o[neline] | -t[imestamp] | -n[etns] name |\n' +
  '                    -c[ompressvlans] -color -p[retty] -j[son] }\n';

function matches(word: string, full: string): boolean {
  return word.length > 0 && full.startsWith(word);
}

export function* bridge(p: Proc): ProgramGen {
  const net = kernel(p);
  const args = p.argv.slice(1);
  let stats = false;
  while (args.length && args[0].startsWith('-')) {
    const a = args.shift()!;
    if (a === '-s' || a === '-stats' || a === '-statistics') stats = true;
    else if (a === '-d' || a === '-details' || a === '-c' || a === '-color' || a.startsWith('-color=')) continue;
    else {
      err(p, `Option "${a}" is unknown, try "bridge help".\n`);
      return 255;
    }
  }
  const obj = args.shift();
  if (obj === undefined || matches(obj, 'help')) {
    err(p, USAGE);
    return 255;
  }
  if (matches(obj, 'fdb')) return fdb(p, net, args, stats);
  if (matches(obj, 'link')) return link(p, net, args);
  err(p, `Object "${obj}" is unknown, try "bridge help".\n`);
  return 255;
}

// ---- fdb ------------------------------------------------------------------------

/** One neighbour message of the AF_BRIDGE dump. */
interface FdbMsg {
  mac: Uint8Array;
  ifindex: number;
  state: number;
  self: boolean;
  master: NetDevice | null;
  /** NDA_CACHEINFO in seconds: used, updated. */
  ci: [number, number] | null;
}

/** rtnl_fdb_dump: devices in ifindex order; for a bridge port, the bridge's
 * entries learned on it (br_fdb_dump with filter_dev), then the device's own
 * (ndo_dflt_fdb_dump); a bridge gives its own, then its port-less entries. */
function fdb_dump(net: Net, brFilter: NetDevice | null, portFilter: NetDevice | null): FdbMsg[] {
  const msgs: FdbMsg[] = [];
  const now = net.now();
  const brEntries = (br: NetBridge, port: NetDevice | null) => {
    for (const f of br_fdb_list(br)) {
      if ((f.dst ? f.dst.dev : null) !== port) continue;
      msgs.push({
        mac: f.addr,
        ifindex: f.dst ? f.dst.dev.ifindex : br.dev.ifindex,
        state: fdb_to_nud(br, f),
        self: false,
        master: br.dev,
        ci: [Math.floor((now - f.used) / 1e9), Math.floor((now - f.updated) / 1e9)],
      });
    }
  };
  const self = (dev: NetDevice) => {
    for (const mac of dev_fdb_self_entries(dev)) msgs.push({ mac, ifindex: dev.ifindex, state: NUD_PERMANENT, self: true, master: null, ci: null });
  };
  for (const dev of [...net.devices.values()].sort((a, b) => a.ifindex - b.ifindex)) {
    if (portFilter && dev !== portFilter) continue;
    if (brFilter && dev !== brFilter && dev.master !== brFilter) continue;
    const port = br_port_get(dev);
    if (port) brEntries(port.br, dev);
    const br = br_from_dev(dev);
    if (br) {
      self(dev);
      brEntries(br, null);
    } else self(dev);
  }
  return msgs;
}

function state_n2a(s: number): string {
  if (s & NUD_PERMANENT) return 'permanent';
  if (s & NUD_NOARP) return 'static';
  if (s & NUD_STALE) return 'stale';
  if (s & NUD_REACHABLE) return '';
  return `state=0x${s.toString(16)}`;
}

function fdb(p: Proc, net: Net, args: string[], stats: boolean): number {
  const cmd = args.shift() ?? 'show';
  if (!(matches(cmd, 'show') || matches(cmd, 'lst') || matches(cmd, 'list'))) {
    err(p, `Command "${cmd}" is unknown, try "bridge fdb help".\n`);
    return 255;
  }
  let filterDev: string | undefined;
  let brName: string | undefined;
  let dynamic = false;
  let stateFilter = 0;
  while (args.length) {
    const a = args.shift()!;
    if (a === 'dev' || a === 'brport') filterDev = args.shift();
    else if (a === 'br') brName = args.shift();
    else if (a === 'dynamic') dynamic = true;
    else if (a === 'state') {
      const v = args.shift() ?? '';
      if (matches(v, 'permanent')) stateFilter |= NUD_PERMANENT;
      else if (matches(v, 'static') || matches(v, 'temp')) stateFilter |= NUD_NOARP;
      else if (matches(v, 'stale')) stateFilter |= NUD_STALE;
      else if (matches(v, 'reachable') || matches(v, 'dynamic')) stateFilter |= NUD_REACHABLE;
      else if (v === 'all') stateFilter = ~0;
      else {
        err(p, `Error: argument "${v}" is wrong: invalid state\n\n`);
        return 255;
      }
    }
  }
  let brDev: NetDevice | null = null;
  if (brName !== undefined) {
    brDev = net.dev_get_by_name(brName) ?? null;
    if (!brDev) {
      err(p, `Cannot find bridge device "${brName}"\n`);
      return 255;
    }
  }
  let portDev: NetDevice | null = null;
  if (filterDev !== undefined) {
    portDev = net.dev_get_by_name(filterDev) ?? null;
    if (!portDev) {
      err(p, `Cannot find device "${filterDev}"\n`);
      return 255;
    }
  }
  for (const m of fdb_dump(net, brDev, portDev)) {
    // print_fdb
    if (portDev && m.ifindex !== portDev.ifindex) continue;
    if (stateFilter && !(m.state & stateFilter)) continue;
    if (dynamic && m.state & NUD_PERMANENT) continue;
    let s = `${formatMac(m.mac)} `;
    if (!portDev) s += `dev ${net.dev_get_by_index(m.ifindex)?.name} `;
    if (stats && m.ci) s += `used ${m.ci[0]}/${m.ci[1]} `;
    if (m.self) s += 'self ';
    if (m.master) s += `master ${m.master.name} `;
    out(p, `${s}${state_n2a(m.state)}\n`);
  }
  return 0;
}

// ---- link -----------------------------------------------------------------------

function link(p: Proc, net: Net, args: string[]): number {
  const cmd = args.shift() ?? 'show';
  if (!(matches(cmd, 'show') || matches(cmd, 'lst') || matches(cmd, 'list'))) {
    err(p, `Command "${cmd}" is unknown, try "bridge link help".\n`);
    return 255;
  }
  let filter: NetDevice | null = null;
  while (args.length) {
    const a = args.shift()!;
    if (a === 'dev') {
      const name = args.shift() ?? '';
      filter = net.dev_get_by_name(name) ?? null;
      if (!filter) {
        err(p, `Cannot find device "${name}"\n`);
        return 255;
      }
    }
  }
  for (const d of [...net.devices.values()].sort((a, b) => a.ifindex - b.ifindex)) {
    const port = br_port_get(d);
    if (!port || (filter && d !== filter)) continue;
    // br_fill_ifinfo sends IFLA_LINK without a netns id: the name is looked up here.
    const { name, mdown } = name_and_link(d);
    out(p, `${d.ifindex}: ${name}: <${link_flag_names(d)}${mdown ? ',M-DOWN' : ''}> mtu ${d.mtu} master ${port.br.dev.name} state ${BR_PORT_STATES[port.state]} priority ${port.priority} cost ${port.path_cost} \n`);
  }
  return 0;
}
