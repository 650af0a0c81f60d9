// ethtool 6.1 (the version on the reference machine) against the model's
// devices: link settings, -i driver info, -l/-L channels, -g/-G rings,
// -k/-K features, -S statistics, -x/-X the RSS indirection table and key.
// Output and error texts are ethtool's own (netlink/*.c and ethtool.c),
// including the kernel's extack messages with their attribute offsets.
import type { Proc, ProgramGen } from '../process.js';
import { kernel, out, err } from './util.js';
import type { Net } from '../../net/net_namespace.js';
import type { NetDevice } from '../../net/core/netdevice.js';
import { StlNic, STLNIC_MAX_RXD } from '../../drivers/stlnic.js';
import { NETDEV_FEATURE_NAMES, NETIF_F_NEVER_CHANGE, netdev_update_features } from '../../net/core/netdev_features.js';
import { ethtool_rxfh_indir_default } from '../../drivers/rss.js';
import { SYSCTL_DEFAULTS_RELEASE } from '../../kernel/sysctl_defaults.js';

type Cmd = (p: Proc, net: Net, dev: NetDevice, args: string[]) => number;

const BAD_ARGS = 'ethtool: bad command line argument(s)\nFor more information run ethtool -h\n';

/** Option -> [command, talks netlink (vs ioctl)]. */
const OPTIONS: Record<string, string> = {
  '-i': 'gdrv', '--driver': 'gdrv',
  '-l': 'gchannels', '--show-channels': 'gchannels',
  '-L': 'schannels', '--set-channels': 'schannels',
  '-g': 'grings', '--show-ring': 'grings',
  '-G': 'srings', '--set-ring': 'srings',
  '-k': 'gfeatures', '--show-features': 'gfeatures', '--show-offload': 'gfeatures',
  '-K': 'sfeatures', '--features': 'sfeatures', '--offload': 'sfeatures',
  '-S': 'gstats', '--statistics': 'gstats',
  '-x': 'grxfh', '--show-rxfh-indir': 'grxfh', '--show-rxfh': 'grxfh',
  '-X': 'srxfh', '--set-rxfh-indir': 'srxfh', '--rxfh': 'srxfh',
  '-c': 'gcoalesce', '--show-coalesce': 'gcoalesce',
  '-C': 'scoalesce', '--coalesce': 'scoalesce',
  '-a': 'gpause', '--show-pause': 'gpause',
};

export function* ethtool(p: Proc): ProgramGen {
  const net = kernel(p);
  const argv = p.argv.slice(1);
  if (argv[0] === '--version') {
    out(p, 'ethtool version 6.1\n');
    return 0;
  }
  let cmd = 'gset';
  if (argv.length && argv[0].startsWith('-')) {
    const c = OPTIONS[argv.shift()!];
    if (!c) return bad(p);
    cmd = c;
  }
  const devname = argv.shift();
  if (!devname) return bad(p);
  const dev = net.dev_get_by_name(devname);
  if (!dev) return noDevice(p, cmd);
  const fn = COMMANDS[cmd];
  return fn(p, net, dev, argv);
}

function bad(p: Proc): number {
  err(p, BAD_ARGS);
  return 1;
}

/** Offset of the first attribute after the request header (nlmsghdr,
 * genlmsghdr, then the header nest with the device name and flags). */
function attrBase(devname: string, flags = false): number {
  return 20 + 4 + 4 + Math.ceil((devname.length + 1) / 4) * 4 + (flags ? 8 : 0);
}

function nlError(p: Proc, msg: string, offset: number | null, errno: string): void {
  err(p, `netlink error: ${msg}${offset === null ? '' : ` (offset ${offset})`}\nnetlink error: ${errno}\n`);
}

function noDevice(p: Proc, cmd: string): number {
  switch (cmd) {
    case 'gdrv':
      err(p, 'Cannot get driver information: No such device\n');
      return 71;
    case 'gstats':
      err(p, 'Cannot get stats strings information: No such device\n');
      return 96;
    case 'grxfh':
    case 'srxfh':
      err(p, 'Cannot get RX ring count: No such device\n');
      return 1;
    case 'gset':
      // linkinfo, linkmodes, linkstate, wol and debug requests all fail.
      for (let i = 0; i < 5; i++) nlError(p, 'no device matches name', 24, 'No such device');
      err(p, 'No data available\n');
      return 75;
    default:
      nlError(p, 'no device matches name', 24, 'No such device');
      return 1;
  }
}

function nic(dev: NetDevice): StlNic | null {
  return dev.priv instanceof StlNic ? dev.priv : null;
}

/** A netlink request the driver has no operation for (EOPNOTSUPP). */
function notSupported(p: Proc): number {
  err(p, 'netlink error: Operation not supported\n');
  return 1;
}

/** The first request an ioctl command makes of the driver (ETHTOOL_GSSET_INFO,
 * ETHTOOL_GRXRINGS): the stlnic answers, other drivers fail with `msg`. */
function nicOr(p: Proc, dev: NetDevice, msg: string): StlNic | null {
  const n = nic(dev);
  if (!n) err(p, msg);
  return n;
}

const GRXRINGS_FAILED = 'Cannot get RX ring count: Operation not supported\n';

/** The netlink show commands take no parameters after the device. */
function noParams(p: Proc, args: string[]): boolean {
  if (args.length) err(p, `ethtool: unexpected parameter '${args[0]}'\n`);
  return !args.length;
}

/** A netlink show the stlnic driver answers (others: EOPNOTSUPP). */
function nicShow(p: Proc, dev: NetDevice, args: string[], show: (n: StlNic) => string): number {
  if (!noParams(p, args)) return 1;
  const n = nic(dev);
  if (!n) return notSupported(p);
  out(p, show(n));
  return 0;
}

/** The parameters a netlink set command sends: parsed, and the offset of
 * each one's attribute (8 bytes each, after the header) for extack. */
function setParams(p: Proc, cmd: string, devname: string, args: string[], names: string[]): { values: Record<string, number>; offsetOf: (name: string) => number } | null {
  const parsed = parseParams(p, cmd, args, names);
  if (!parsed) return null;
  const base = attrBase(devname);
  return { values: parsed.values, offsetOf: (name) => base + 8 * parsed.order.indexOf(name) };
}

/** ethnl_update_u32 over the requested values: what would change. */
function ethnl_update(want: Record<string, number>, values: Record<string, number>, keys: readonly string[]): string[] {
  const changed: string[] = [];
  for (const k of keys) {
    if (k in values && values[k] !== want[k]) {
      want[k] = values[k];
      changed.push(k);
    }
  }
  return changed;
}

/** The first requested count above the device's maximum, for extack. */
function overMax(want: Record<string, number>, max: Record<string, number>, keys: readonly string[]): string | null {
  return keys.find((k) => want[k] > max[k]) ?? null;
}

const COMMANDS: Record<string, Cmd> = {
  gset: (p, _net, dev, args) => {
    if (args.length) return bad(p);
    const link = dev.up && dev.carrier;
    let s = `Settings for ${dev.name}:\n`;
    if (dev.isLoopback) {
      out(p, s + `\tLink detected: ${link ? 'yes' : 'no'}\n`);
      return 0;
    }
    const n = nic(dev);
    s +=
      '\tSupported ports: [  ]\n\tSupported link modes:   Not reported\n\tSupported pause frame use: No\n' +
      '\tSupports auto-negotiation: No\n\tSupported FEC modes: Not reported\n\tAdvertised link modes:  Not reported\n' +
      '\tAdvertised pause frame use: No\n\tAdvertised auto-negotiation: No\n\tAdvertised FEC modes: Not reported\n';
    if (n && link) s += `\tSpeed: ${Math.round(n.speedBps / 1e6)}Mb/s\n\tDuplex: Full\n`;
    else if (dev.kind === 'veth') s += '\tSpeed: 10000Mb/s\n\tDuplex: Full\n';
    else s += '\tSpeed: Unknown!\n\tDuplex: Unknown! (255)\n';
    s += `\tAuto-negotiation: off\n\tPort: ${n || dev.kind === 'veth' ? 'Twisted Pair' : 'Other'}\n\tPHYAD: 0\n\tTransceiver: internal\n`;
    if (n || dev.kind === 'veth') s += '\tMDI-X: Unknown\n';
    out(p, s + `\tLink detected: ${link ? 'yes' : 'no'}\n`);
    return 0;
  },

  gdrv: (p, _net, dev, args) => {
    if (args.length) return bad(p);
    const n = nic(dev);
    let info: [string, string, string, string, boolean];
    if (n) info = ['stlnic', SYSCTL_DEFAULTS_RELEASE, '', n.pciSlot, true];
    else if (dev.kind === 'veth') info = ['veth', '1.0', '', '', true];
    else if (dev.kind === 'bridge') info = ['bridge', '2.3', 'N/A', 'N/A', false];
    else {
      err(p, 'Cannot get driver information: Operation not supported\n');
      return 71;
    }
    out(
      p,
      `driver: ${info[0]}\nversion: ${info[1]}\nfirmware-version: ${info[2]}\nexpansion-rom-version: \nbus-info: ${info[3]}\n` +
        `supports-statistics: ${info[4] ? 'yes' : 'no'}\nsupports-test: no\nsupports-eeprom-access: no\nsupports-register-dump: no\nsupports-priv-flags: no\n`,
    );
    return 0;
  },

  gchannels: (p, _net, dev, args) =>
    nicShow(p, dev, args, (n) =>
      `Channel parameters for ${dev.name}:\nPre-set maximums:\nRX:\t\tn/a\nTX:\t\tn/a\nOther:\t\tn/a\nCombined:\t${n.max_combined}\n` +
      `Current hardware settings:\nRX:\t\tn/a\nTX:\t\tn/a\nOther:\t\tn/a\nCombined:\t${n.queues.length}\n`),

  schannels: (p, _net, dev, args) => {
    const keys = ['rx', 'tx', 'other', 'combined'] as const;
    const req = setParams(p, '-L', dev.name, args, [...keys]);
    if (!req) return 1;
    const n = nic(dev);
    if (!n) return notSupported(p);
    const want = { rx: 0, tx: 0, other: 0, combined: n.queues.length };
    const changed = ethnl_update(want, req.values, keys);
    if (!changed.length) return 0;
    const over = overMax(want, { rx: 0, tx: 0, other: 0, combined: n.max_combined }, keys);
    if (over) {
      nlError(p, 'requested channel count exceeds maximum', req.offsetOf(over), 'Invalid argument');
      return 1;
    }
    let noChan: string | null = null;
    if (!want.combined && !want.rx) noChan = 'rx';
    else if (!want.combined && !want.tx) noChan = 'tx';
    if (noChan) {
      if (changed.includes('combined')) noChan = 'combined';
      nlError(p, 'requested channel counts would result in no RX or TX channel being configured', noChan in req.values ? req.offsetOf(noChan) : null, 'Invalid argument');
      return 1;
    }
    // ethtool_check_max_channel: a user-set table must still fit.
    if (n.rss.userConfigured) {
      const maxInUse = Math.max(...n.rss.indir);
      if (want.combined + want.rx <= maxInUse) {
        nlError(p, `requested channel counts are too low for existing indirection table (${maxInUse})`, null, 'Invalid argument');
        return 1;
      }
    }
    n.set_channels(want.combined);
    return 0;
  },

  grings: (p, _net, dev, args) =>
    nicShow(p, dev, args, (n) =>
      `Ring parameters for ${dev.name}:\nPre-set maximums:\nRX:\t\t${STLNIC_MAX_RXD}\nRX Mini:\tn/a\nRX Jumbo:\tn/a\nTX:\t\t${STLNIC_MAX_RXD}\n` +
      `Current hardware settings:\nRX:\t\t${n.rx_ring}\nRX Mini:\tn/a\nRX Jumbo:\tn/a\nTX:\t\t${n.tx_ring}\n` +
      'RX Buf Len:\t\tn/a\nCQE Size:\t\tn/a\nTX Push:\toff\nTCP data split:\tn/a\n'),

  srings: (p, _net, dev, args) => {
    const req = setParams(p, '-G', dev.name, args, ['rx', 'rx-mini', 'rx-jumbo', 'tx', 'rx-buf-len', 'cqe-size', 'tx-push']);
    if (!req) return 1;
    const n = nic(dev);
    if (!n) {
      err(p, 'netlink error: Operation not supported\n');
      return 81;
    }
    // ethnl_set_rings_validate: what the driver does not support.
    for (const [k, msg] of [['rx-buf-len', 'setting rx buf len not supported'], ['cqe-size', 'setting cqe size not supported'], ['tx-push', 'setting tx push not supported']] as const) {
      if (k in req.values) {
        nlError(p, msg, req.offsetOf(k), 'Operation not supported');
        return 81;
      }
    }
    const keys = ['rx', 'rx-mini', 'rx-jumbo', 'tx'] as const;
    const want = { rx: n.rx_ring, 'rx-mini': 0, 'rx-jumbo': 0, tx: n.tx_ring };
    if (!ethnl_update(want, req.values, keys).length) return 0;
    const over = overMax(want, { rx: STLNIC_MAX_RXD, 'rx-mini': 0, 'rx-jumbo': 0, tx: STLNIC_MAX_RXD }, keys);
    if (over) {
      nlError(p, 'requested ring size exceeds maximum', req.offsetOf(over), 'Invalid argument');
      return 81;
    }
    n.set_ringparam(want.rx, want.tx);
    return 0;
  },

  gfeatures: (p, _net, dev, args) => {
    if (!noParams(p, args)) return 1;
    out(p, `Features for ${dev.name}:\n` + dumpFeatures(dev));
    return 0;
  },

  sfeatures: (p, _net, dev, args) => {
    const req = new Map<string, boolean>();
    const order: [string, boolean][] = [];
    for (let i = 0; i < args.length; i += 2) {
      if (args[i] === '--') break;
      const v = args[i + 1];
      if (v !== 'on' && v !== 'off') {
        err(p, `ethtool (-K): flag '${v ?? '(null)'}' for parameter '(null)' is not followed by 'on' or 'off'\n`);
        return 1;
      }
      const legacy = OFF_FLAG_DEF.find(([s, l]) => s === args[i] || l === args[i]);
      const names = legacy ? NETDEV_FEATURE_NAMES.filter((n) => flagPatternMatch(n, legacy[2])) : [args[i]];
      for (const n of names) {
        order.push([n, v === 'on']);
        req.set(n, v === 'on');
      }
    }
    // The kernel resolves names in message order; the first unknown one fails.
    let off = attrBase(dev.name, true) + 12;
    for (const [name, val] of order) {
      if (!NETDEV_FEATURE_NAMES.includes(name)) {
        nlError(p, 'bit name not found', off, 'Operation not supported');
        return 92;
      }
      off += 4 + 4 + Math.ceil((name.length + 1) / 4) * 4 + (val ? 4 : 0);
    }
    const oldActive = new Set(dev.features);
    const oldWanted = new Set(dev.wanted_features);
    const reqWanted = new Set([...oldWanted].filter((n) => !req.has(n)));
    for (const [n, v] of req) if (v) reqWanted.add(n);
    if (!sameSet(reqWanted, oldWanted)) {
      dev.wanted_features = new Set([...[...oldWanted].filter((n) => !dev.hw_features.has(n)), ...[...reqWanted].filter((n) => dev.hw_features.has(n))]);
      if (dev.priv instanceof StlNic) dev.priv.set_features();
      else netdev_update_features(dev);
    }
    const newActive = dev.features;
    // The reply: requested bits whose result differs, and every change.
    const wantedMask = [...req.keys()].filter((n) => reqWanted.has(n) !== newActive.has(n));
    const activeMask = NETDEV_FEATURE_NAMES.filter((n) => oldActive.has(n) !== newActive.has(n));
    const nothingChanged = sameSet(new Set(wantedMask), new Set(req.keys()));
    const diff = wantedMask.length > 0 || activeMask.some((n) => !req.has(n));
    if (diff) {
      let s = 'Actual changes:\n';
      for (const n of NETDEV_FEATURE_NAMES) {
        const inW = wantedMask.includes(n);
        if (!inW && !activeMask.includes(n)) continue;
        if (inW) s += `${n}: ${reqWanted.has(n) ? 'off' : 'on'} [requested ${reqWanted.has(n) ? 'on' : 'off'}]\n`;
        else if (!req.has(n)) s += `${n}: ${newActive.has(n) ? 'on' : 'off'} [not requested]\n`;
        else s += `${n}: ${newActive.has(n) ? 'on' : 'off'}\n`;
      }
      out(p, s);
    }
    if (nothingChanged) {
      err(p, 'Could not change any device features\n');
      return 1;
    }
    return 0;
  },

  gstats: (p, _net, dev, args) => {
    if (args.length) return bad(p);
    const n = nicOr(p, dev, 'no stats available\n');
    if (!n) return 94;
    out(p, 'NIC statistics:\n' + n.ethtool_stats().map(([k, v]) => `     ${k}: ${v}\n`).join(''));
    return 0;
  },

  grxfh: (p, _net, dev, args) => {
    if (args.length) return bad(p);
    const n = nicOr(p, dev, GRXRINGS_FAILED);
    if (!n) return 1;
    let s = `RX flow hash indirection table for ${dev.name} with ${n.queues.length} RX ring(s):\n`;
    const t = n.rss.indir;
    for (let i = 0; i < t.length; i++) {
      if (i % 8 === 0) s += String(i).padStart(5) + ': ';
      s += ' ' + String(t[i]).padStart(5);
      if (i % 8 === 7 || i === t.length - 1) s += '\n';
    }
    s += 'RSS hash key:\n' + [...n.rss.key].map((b) => b.toString(16).padStart(2, '0')).join(':') + '\n';
    s += 'RSS hash function:\n    toeplitz: on\n    xor: off\n    crc32: off\n';
    out(p, s);
    return 0;
  },

  srxfh: (p, _net, dev, args) => {
    let equal = 0;
    let start = 0;
    let weights: number[] | null = null;
    let hkey: string | null = null;
    let hfunc: string | null = null;
    let dflt = false;
    const intArg = (v: string | undefined, min: number): number | null => (v !== undefined && /^\d+$/.test(v) && Number(v) >= min ? Number(v) : null);
    if (!args.length) return bad(p);
    for (let i = 0; i < args.length; ) {
      const a = args[i++];
      if (a === 'equal') {
        const v = intArg(args[i++], 1);
        if (v === null) return bad(p);
        equal = v;
      } else if (a === 'start') {
        const v = intArg(args[i++], 0);
        if (v === null) return bad(p);
        start = v;
      } else if (a === 'weight') {
        weights = [];
        while (i < args.length && /^\d/.test(args[i])) weights.push(Number(args[i++]));
        if (!weights.length) return bad(p);
      } else if (a === 'hkey') {
        hkey = args[i++] ?? null;
        if (hkey === null) return bad(p);
      } else if (a === 'hfunc') {
        hfunc = args[i++] ?? null;
        if (hfunc === null) return bad(p);
      } else if (a === 'default') dflt = true;
      else return bad(p);
    }
    const conflict =
      equal && weights ? 'Equal and weight options are mutually exclusive' :
      equal && dflt ? 'Equal and default options are mutually exclusive' :
      weights && dflt ? 'Weight and default options are mutually exclusive' :
      start && dflt ? 'Start and default options are mutually exclusive' :
      start && !(equal || weights) ? 'Start must be used with equal or weight options' : null;
    if (conflict) {
      err(p, conflict + '\n');
      return 1;
    }
    const n = nicOr(p, dev, GRXRINGS_FAILED);
    if (!n) return 1;
    const size = n.rss.indir.length;
    let key: Uint8Array | null = null;
    if (hkey !== null) {
      const bytes = hkey.split(':');
      if (bytes.length !== n.rss.key.length || bytes.some((b) => !/^[0-9a-fA-F]{1,2}$/.test(b))) {
        err(p, bytes.length !== n.rss.key.length ? `Key is too ${bytes.length < n.rss.key.length ? 'short' : 'long'}\n` : 'Invalid RSS hash key format\n');
        return 1;
      }
      key = new Uint8Array(bytes.map((b) => parseInt(b, 16)));
    }
    if (hfunc !== null && !['toeplitz', 'xor', 'crc32'].includes(hfunc)) {
      err(p, `Unknown hash function: ${hfunc}\n`);
      return 1;
    }
    let table: number[] | null = null;
    if (equal) table = Array.from({ length: size }, (_, i) => start + (i % equal));
    else if (weights) {
      const sum = weights.reduce((a, b) => a + b, 0);
      if (!sum) {
        err(p, 'At least one weight must be non-zero\n');
        return 2;
      }
      if (sum > size) {
        err(p, 'Total weight exceeds the size of the indirection table\n');
        return 2;
      }
      table = [];
      let j = -1;
      let partial = 0;
      for (let i = 0; i < size; i++) {
        while (i >= Math.floor((size * partial) / sum)) partial += weights[++j];
        table.push(start + j);
      }
    }
    // The kernel checks every entry against the RX ring count; the driver
    // only implements Toeplitz.
    if ((table && table.some((q) => q >= n.queues.length)) || (hfunc !== null && hfunc !== 'toeplitz')) {
      err(p, `Cannot set RX flow hash configuration: ${table && table.some((q) => q >= n.queues.length) ? 'Invalid argument' : 'Operation not supported'}\n`);
      return 1;
    }
    if (dflt) {
      for (let i = 0; i < size; i++) n.rss.indir[i] = ethtool_rxfh_indir_default(i, n.queues.length);
      n.rss.userConfigured = false;
    } else if (table) {
      n.rss.indir.set(table);
      n.rss.userConfigured = true;
    }
    if (key) n.rss.key = key;
    return 0;
  },

  gcoalesce: (p) => notSupported(p),
  gpause: (p, _net, dev) => {
    out(p, `Pause parameters for ${dev.name}:\n`);
    err(p, 'Cannot get device pause settings: Operation not supported\n');
    return 76;
  },
  scoalesce: (p) => notSupported(p),
};

/** The -L/-G argument list: name value pairs as nl_parser takes them. */
function parseParams(p: Proc, cmd: string, args: string[], names: string[]): { values: Record<string, number>; order: string[] } | null {
  const values: Record<string, number> = {};
  const order: string[] = [];
  for (let i = 0; i < args.length; ) {
    const name = args[i++];
    if (!names.includes(name)) {
      err(p, `ethtool (${cmd}): unknown parameter '${name}'\n`);
      return null;
    }
    if (name in values) {
      err(p, `ethtool (${cmd}): duplicate parameter '${name}'\n`);
      return null;
    }
    const v = args[i++];
    if (v === undefined) {
      err(p, `ethtool (${cmd}): no value for parameter '${name}'\n`);
      return null;
    }
    const val = name === 'tx-push' ? (v === 'on' ? 1 : v === 'off' ? 0 : NaN) : /^(0x[0-9a-fA-F]+|\d+)$/.test(v) ? Number(v) : NaN;
    if (!Number.isFinite(val) || val > 0xffffffff) {
      err(p, `ethtool (${cmd}): invalid value '${v}' for parameter '${name}'\n`);
      return null;
    }
    values[name] = val;
    order.push(name);
  }
  return { values, order };
}

function sameSet(a: Set<string>, b: Set<string>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}

/** off_flag_def (common.c): the legacy names and the features they cover. */
const OFF_FLAG_DEF: [string, string, string][] = [
  ['rx', 'rx-checksumming', 'rx-checksum'],
  ['tx', 'tx-checksumming', 'tx-checksum-*'],
  ['sg', 'scatter-gather', 'tx-scatter-gather*'],
  ['tso', 'tcp-segmentation-offload', 'tx-tcp*-segmentation'],
  ['ufo', 'udp-fragmentation-offload', 'tx-udp-fragmentation'],
  ['gso', 'generic-segmentation-offload', 'tx-generic-segmentation'],
  ['gro', 'generic-receive-offload', 'rx-gro'],
  ['lro', 'large-receive-offload', 'rx-lro'],
  ['rxvlan', 'rx-vlan-offload', 'rx-vlan-hw-parse'],
  ['txvlan', 'tx-vlan-offload', 'tx-vlan-hw-insert'],
  ['ntuple', 'ntuple-filters', 'rx-ntuple-filter'],
  ['rxhash', 'receive-hashing', 'rx-hashing'],
];

/** flag_pattern_match: at most one '*', matching any run of characters. */
function flagPatternMatch(name: string, pattern: string): boolean {
  const ast = pattern.indexOf('*');
  if (ast < 0) return name === pattern;
  const head = pattern.slice(0, ast);
  const tail = pattern.slice(ast + 1);
  if (name.length + 1 < pattern.length) return false;
  return name.startsWith(head) && name.endsWith(tail);
}

/** dump_features: the legacy groups first, then the other features in bit order. */
function dumpFeatures(dev: NetDevice): string {
  const flagOf = NETDEV_FEATURE_NAMES.map((n) => OFF_FLAG_DEF.findIndex(([, , pat]) => flagPatternMatch(n, pat)));
  const line = (i: number, label: string, prefix: string) => {
    const n = NETDEV_FEATURE_NAMES[i];
    const on = dev.features.has(n);
    let suffix = '';
    if (!dev.hw_features.has(n) || NETIF_F_NEVER_CHANGE.has(n)) suffix = ' [fixed]';
    else if (on !== dev.wanted_features.has(n)) suffix = dev.wanted_features.has(n) ? ' [requested on]' : ' [requested off]';
    return `${prefix}${label}: ${on ? 'on' : 'off'}${suffix}\n`;
  };
  let s = '';
  OFF_FLAG_DEF.forEach(([short, long], f) => {
    if (short === 'ufo') return; // no kernel with netlink supports UFO
    const members = NETDEV_FEATURE_NAMES.map((_, i) => i).filter((i) => flagOf[i] === f);
    if (members.length !== 1) s += `${long}: ${members.some((i) => dev.features.has(NETDEV_FEATURE_NAMES[i])) ? 'on' : 'off'}\n`;
    for (const i of members) s += members.length === 1 ? line(i, long, '') : line(i, NETDEV_FEATURE_NAMES[i], '\t');
  });
  NETDEV_FEATURE_NAMES.forEach((n, i) => {
    if (flagOf[i] < 0) s += line(i, n, '');
  });
  return s;
}
