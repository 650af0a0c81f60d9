// The per-host sysctl tree (/proc/sys/net/{core,ipv4,unix}) with the
// kernel's parsing, ranges and side effects, so that `sysctl` and the kernel
// model see what Linux 6.18 would show.
//
// -------------------------------------------------------------------------
// What procps-ng 4.0.2 `sysctl` prints, measured on the reference machine
// (Linux 6.18.44, run inside a fresh `ip netns`), for the tools to copy:
//
//   sysctl net.ipv4.ip_forward              stdout "net.ipv4.ip_forward = 0"             exit 0
//   sysctl -n net.ipv4.ip_forward           stdout "0"                                   exit 0
//   sysctl -N net.ipv4.ip_forward           stdout "net.ipv4.ip_forward"                 exit 0
//   sysctl net/ipv4/ip_forward              stdout "net.ipv4.ip_forward = 0" (slash form accepted)
//   sysctl net.ipv4.nope                    stderr "sysctl: cannot stat /proc/sys/net/ipv4/nope: No such file or directory"  exit 1
//   sysctl nope                             stderr "sysctl: cannot stat /proc/sys/nope: No such file or directory"           exit 1
//   sysctl -e net.ipv4.nope                 (nothing)                                    exit 0
//   sysctl -w net.ipv4.nope=1               stderr "sysctl: cannot stat /proc/sys/net/ipv4/nope: No such file or directory"  exit 1
//   sysctl -w net.ipv4.ip_forward=1         stdout "net.ipv4.ip_forward = 1"             exit 0
//   sysctl net.ipv4.ip_forward=1            same as -w (an '=' implies -w)
//   sysctl -q -w net.ipv4.ip_forward=1      (nothing)                                    exit 0
//   sysctl -w net.ipv4.ip_forward=abc       stderr "sysctl: setting key \"net.ipv4.ip_forward\": Invalid argument"           exit 1
//   sysctl -w net.ipv4.ip_forward=          stderr "sysctl: setting key \"net.ipv4.ip_forward\": Invalid argument"           exit 1
//   sysctl -w net.ipv4.ip_default_ttl=0     stderr "sysctl: setting key \"net.ipv4.ip_default_ttl\": Invalid argument"       exit 1
//   sysctl -w net.ipv4.tcp_congestion_control=nope
//                                           stderr "sysctl: setting key \"net.ipv4.tcp_congestion_control\": No such file or directory"  exit 1
//   sysctl -w net.ipv4.tcp_congestion_control=cubic   (available but not allowed in a netns)
//                                           stderr "sysctl: setting key \"net.ipv4.tcp_congestion_control\": Operation not permitted"    exit 1
//   sysctl -w net.ipv4.tcp_available_congestion_control=reno   (read-only file)
//                                           stderr "sysctl: setting key \"net.ipv4.tcp_available_congestion_control\": Invalid argument" exit 0 (!)
//   sysctl net.ipv4.route.flush             (write-only file: nothing printed)           exit 0
//   sysctl -w net.ipv4.ip_forward           stderr "sysctl: command line(0): invalid syntax, continuing..."  exit 1
//   sysctl -w                               stderr "sysctl: no variables specified\nTry `sysctl --help' for more information."  exit 1
//   sysctl net.core                         every entry under the prefix, sorted as `sysctl -a`   exit 0
//   sysctl -w net.core.netdev_budget=100    in a netns: "sysctl: cannot stat /proc/sys/net/core/netdev_budget: ..." (init-only entry)
//
// With several arguments every one is processed in order; the exit code is 1
// if any failed. `-w k=v` echoes "k = v" with v AS TYPED (spaces around it
// trimmed): "0x40" echoes "0x40" although the kernel stores 64, "64 65"
// echoes "64 65" although only 64 is taken, "4096 131072 6291456" echoes with
// spaces while reading it back prints tabs. Names print in dotted form; a '.'
// inside a component (interface "x.1") prints as '/': net.ipv4.conf.x/1.rp_filter.
// `sysctl -a` (and a prefix listing) is sorted per path component in byte
// order (x < x-1 < x.1, 'X' < 'all'); write-only entries and the deprecated
// neigh.*.base_reachable_time / retrans_time are left out (--deprecated shows
// them; `sysctl net.ipv4.neigh.lo.retrans_time` still prints it).
//
// The kernel side (what Sysctl.set returns, the text after "setting key ...: "):
//   - integers are parsed like proc_dointvec: leading blanks skipped, optional
//     '-', then strtoul base 0 (0x.. hex, 0.. octal), which must be followed
//     by a blank or the end; '+' is rejected; only the first value of a single
//     integer is used; out of range (type or min/max) -> "Invalid argument".
//   - unknown name -> "No such file or directory" (procps: "cannot stat ...").
//   - read-only entry -> "Permission denied" (what `echo > file` gets; procps
//     prints the "Invalid argument" line above and exits 0).
// -------------------------------------------------------------------------

import { SYSCTL_DEFAULTS, SYSCTL_HZ, type SysctlSpec } from './sysctl_defaults.js';

export type { SysctlSpec } from './sysctl_defaults.js';

/** What Sysctl.set returns on failure: strerror() of the kernel's errno. */
export const SYSCTL_ERR = {
  /** Unknown name (procps: "cannot stat /proc/sys/...") or unknown algorithm/qdisc. */
  ENOENT: 'No such file or directory',
  /** Malformed or out-of-range value. */
  EINVAL: 'Invalid argument',
  /** Read-only entry. */
  EACCES: 'Permission denied',
  /** Congestion control not in tcp_allowed_congestion_control. */
  EPERM: 'Operation not permitted',
} as const;
export type SysctlError = (typeof SYSCTL_ERR)[keyof typeof SYSCTL_ERR];
const { ENOENT, EINVAL, EACCES, EPERM } = SYSCTL_ERR;

/** "name = value", the line `sysctl` prints for a read or a -w. */
export function formatSysctlLine(name: string, value: string): string {
  return `${name} = ${value}`;
}

/**
 * Path components of a sysctl name given in dotted or slash form, by procps'
 * rule: the first separator decides. "net.ipv4.conf.x/1.rp_filter" and
 * "net/ipv4/conf/x.1/rp_filter" both give [net, ipv4, conf, x.1, rp_filter].
 */
export function sysctlPath(name: string): string[] {
  const m = /[./]/.exec(name);
  if (!m) return name ? [name] : [];
  if (m[0] === '/') return name.split('/').filter((c) => c !== '');
  return name
    .split('.')
    .filter((c) => c !== '')
    .map((c) => c.replace(/\//g, '.'));
}

/** The dotted display name of path components ('.' inside one becomes '/'). */
export function sysctlName(...components: string[]): string {
  return components.map((c) => c.replace(/\./g, '/')).join('.');
}

/** Display name of a name in either form: 'net/ipv4/ip_forward' -> 'net.ipv4.ip_forward'. */
export function sysctlDotted(name: string): string {
  return sysctlName(...sysctlPath(name));
}

/**
 * Leaves procps `sysctl -a` (and prefix listings) hide unless --deprecated;
 * naming one explicitly still works.
 */
export const SYSCTL_DEPRECATED: readonly string[] = ['base_reachable_time', 'retrans_time'];

type ChangeCallback = (name: string, value: string) => void;

interface Entry {
  spec: SysctlSpec;
  value: string;
  /** The kernel's per-field "state" bit (devconf/neigh parms): written explicitly. */
  explicit: boolean;
}

export interface SysctlOptions {
  /**
   * Leave out the entries that exist only in the initial network namespace
   * (net.core.netdev_budget, net.ipv4.neigh.default.*, ...), to match what
   * the oracle shows inside `ip netns exec`. Default false: a host is a machine.
   */
  netnsOnly?: boolean;
}

const INT_MIN = -(2n ** 31n);
const INT_MAX = 2n ** 31n - 1n;
const U64_MAX = 2n ** 64n - 1n;

const CONF = 'net/ipv4/conf/';
const NEIGH = 'net/ipv4/neigh/';
const IP_FORWARD = 'net/ipv4/ip_forward';
const ALL_FORWARDING = 'net/ipv4/conf/all/forwarding';

/**
 * devconf entries whose handler is devinet_conf_proc: writing one marks it
 * explicitly set, and writing conf.default.X copies X to every interface that
 * never had X written (devinet_copy_dflt_conf). forwarding has its own
 * handler; disable_xfrm, disable_policy, promote_secondaries, route_localnet
 * and drop_unicast_in_l2_multicast only flush the route cache.
 */
const DEVINET_CONF_PROC = new Set([
  'bc_forwarding', 'accept_redirects', 'secure_redirects', 'shared_media', 'rp_filter',
  'send_redirects', 'accept_source_route', 'accept_local', 'src_valid_mark', 'proxy_arp',
  'medium_id', 'bootp_relay', 'log_martians', 'tag', 'arp_filter', 'arp_announce',
  'arp_ignore', 'arp_accept', 'arp_notify', 'arp_evict_nocarrier', 'proxy_arp_pvlan',
  'force_igmp_version', 'igmpv2_unsolicited_report_interval',
  'igmpv3_unsolicited_report_interval', 'ignore_routes_with_linkdown', 'drop_gratuitous_arp',
]);

/** Neighbour parms shown twice in different units (same p->data slot). */
const NEIGH_TWINS: Record<string, string> = {
  base_reachable_time: 'base_reachable_time_ms',
  base_reachable_time_ms: 'base_reachable_time',
  retrans_time: 'retrans_time_ms',
  retrans_time_ms: 'retrans_time',
  unres_qlen: 'unres_qlen_bytes',
  unres_qlen_bytes: 'unres_qlen',
};

/** SKB_TRUESIZE(ETH_FRAME_LEN) on the reference kernel (unres_qlen = bytes / this). */
export const NEIGH_UNRES_TRUESIZE = 2090;

/** Qdiscs `net.core.default_qdisc` accepts (those built into a Debian kernel or autoloaded). */
const DEFAULT_QDISCS = new Set([
  'pfifo_fast', 'pfifo', 'bfifo', 'pfifo_head_drop', 'fq_codel', 'fq', 'sfq', 'noqueue', 'cake', 'codel', 'fq_pie', 'pie',
]);

// ---- jiffies conversions (HZ = SYSCTL_HZ, USER_HZ = 100) --------------------

const MS_PER_JIFFY = 1000 / SYSCTL_HZ;

function msToJiffies(ms: number): number {
  return Math.sign(ms) * Math.ceil(Math.abs(ms) / MS_PER_JIFFY);
}
function jiffiesToMs(j: number): number {
  return j * MS_PER_JIFFY;
}
function clockToJiffies(c: number): number {
  return Math.trunc((c * SYSCTL_HZ) / 100);
}
function jiffiesToClock(j: number): number {
  return Math.trunc((j * 100) / SYSCTL_HZ);
}

// ---- integer parsing as proc_get_long ---------------------------------------

const BLANK = /\s/;

interface Parsed {
  value: bigint;
  end: number;
}

/** One integer at `pos` (after blanks), or null if malformed. */
function parseLong(s: string, pos: number): Parsed | null {
  let i = pos;
  let neg = false;
  if (s[i] === '-') {
    neg = true;
    i++;
  }
  let digits: RegExp;
  let base: bigint;
  let start = i;
  if (s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X') && /[0-9a-fA-F]/.test(s[i + 2] ?? '')) {
    base = 16n;
    digits = /[0-9a-fA-F]/;
    start = i + 2;
  } else if (s[i] === '0') {
    base = 8n;
    digits = /[0-7]/;
  } else {
    base = 10n;
    digits = /[0-9]/;
  }
  let j = start;
  let v = 0n;
  while (j < s.length && digits.test(s[j])) {
    v = v * base + BigInt(parseInt(s[j], 16));
    if (v > U64_MAX) return null;
    j++;
  }
  if (j === start) return null;
  if (j < s.length && !BLANK.test(s[j])) return null;
  return { value: neg ? -v : v, end: j };
}

function skipBlanks(s: string, i: number): number {
  while (i < s.length && BLANK.test(s[i])) i++;
  return i;
}

/** Up to `max` integers separated by blanks; null if malformed or none. */
function parseInts(s: string, max: number): bigint[] | null {
  const out: bigint[] = [];
  let i = skipBlanks(s, 0);
  while (i < s.length && out.length < max) {
    const p = parseLong(s, i);
    if (!p) return null;
    out.push(p.value);
    i = skipBlanks(s, p.end);
  }
  return out.length ? out : null;
}

function big(x: number | string | undefined, dflt: bigint): bigint {
  return x === undefined ? dflt : BigInt(x);
}

function compareComponents(a: readonly string[], b: readonly string[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return a.length - b.length;
}

/** Sysctl.hot(): integers read on every packet. */
export class HotSysctls {
  gen = -1;
  netdev_budget = 0;
  netdev_budget_usecs = 0;
  netdev_max_backlog = 0;
  dev_weight = 0;
  dev_weight_rx_bias = 0;
  dev_weight_tx_bias = 0;
  ip_default_ttl = 0;
  ip_forward_use_pmtu = 0;
}

/** The per-host sysctl tree. Names are accepted in dotted or slash form. */
export class Sysctl {
  private readonly entries = new Map<string, Entry>();
  private readonly subs = new Map<string, Set<ChangeCallback>>();
  private sorted: string[] | null = null;
  /** Leaf names every interface gets under net.ipv4.neigh.IF (those of neigh.lo). */
  private readonly neighDevKeys: string[] = [];
  /** Name as asked (either form) -> key: hot paths ask for the same few names. */
  private readonly keys = new Map<string, string>();
  /** Name -> parseInt of its value (undefined: no such entry); cleared on every change. */
  private readonly ints = new Map<string, number | undefined>();
  /** net.ipv4.conf.DIR.LEAF as sysctlInt reads it, by DIR then LEAF; cleared with ints. */
  private readonly conf = new Map<string, Map<string, number>>();
  /** Bumped whenever a value may have changed (ints is cleared): caches of
   * values read per packet compare it (see hot()). */
  gen = 0;
  private readonly _hot = new HotSysctls();

  constructor(opts: SysctlOptions = {}) {
    for (const [name, spec] of Object.entries(SYSCTL_DEFAULTS)) {
      const key = sysctlPath(name).join('/');
      if (key.startsWith(NEIGH + 'lo/')) this.neighDevKeys.push(key.slice(NEIGH.length + 3));
      if (opts.netnsOnly && spec.init) continue;
      this.entries.set(key, { spec, value: spec.v, explicit: false });
    }
  }

  private key(name: string): string {
    let k = this.keys.get(name);
    if (k === undefined) {
      k = sysctlPath(name).join('/');
      if (this.keys.size >= 4096) this.keys.clear(); // names typed by users: keep it bounded
      this.keys.set(name, k);
    }
    return k;
  }

  /** parseInt(value, 10) of the entry (NaN if not numeric), undefined if unknown;
   * cached until the next change so per-packet reads cost one Map lookup. */
  cachedInt(name: string): number | undefined {
    const c = this.ints.get(name);
    if (c !== undefined || this.ints.has(name)) return c;
    const v = this.get(name);
    const n = v === undefined ? undefined : parseInt(v, 10);
    if (this.ints.size >= 4096) this.ints.clear();
    this.ints.set(name, n);
    return n;
  }

  /** Whether the entry exists. */
  has(name: string): boolean {
    return this.entries.has(this.key(name));
  }

  /** The entry's type, range and flags. */
  spec(name: string): SysctlSpec | undefined {
    return this.entries.get(this.key(name))?.spec;
  }

  /** The value as the kernel prints it (vectors tab-separated); '' for write-only entries; undefined if unknown. */
  get(name: string): string | undefined {
    const e = this.entries.get(this.key(name));
    if (!e) return undefined;
    return e.spec.wo ? '' : e.value;
  }

  /** The (first) integer of the value, or undefined if unknown or not numeric. */
  /** What net.sysctlInt(`net.ipv4.conf.${dir}.${leaf}`) gives (0 when
   * unknown), without building the name: devconf reads on every packet. */
  confInt(dir: string, leaf: string): number {
    let m = this.conf.get(dir);
    if (m === undefined) this.conf.set(dir, (m = new Map()));
    let v = m.get(leaf);
    if (v === undefined) {
      const n = this.cachedInt(`net.ipv4.conf.${dir}.${leaf}`);
      v = n === undefined ? 0 : n;
      m.set(leaf, v);
    }
    return v;
  }

  /** The values the packet path reads every packet, as net.sysctlInt gives
   * them (0 when unknown), refreshed after any change: one generation
   * compare instead of a Map lookup per read. */
  hot(): HotSysctls {
    const h = this._hot;
    if (h.gen !== this.gen) this.refreshHot(h);
    return h;
  }

  // (Apart from hot(): a closure there would cost an allocation per call.)
  private refreshHot(h: HotSysctls): void {
    h.netdev_budget = this.hotInt('net.core.netdev_budget');
    h.netdev_budget_usecs = this.hotInt('net.core.netdev_budget_usecs');
    h.netdev_max_backlog = this.hotInt('net.core.netdev_max_backlog');
    h.dev_weight = this.hotInt('net.core.dev_weight');
    h.dev_weight_rx_bias = this.hotInt('net.core.dev_weight_rx_bias');
    h.dev_weight_tx_bias = this.hotInt('net.core.dev_weight_tx_bias');
    h.ip_default_ttl = this.hotInt('net.ipv4.ip_default_ttl');
    h.ip_forward_use_pmtu = this.hotInt('net.ipv4.ip_forward_use_pmtu');
    h.gen = this.gen;
  }

  private hotInt(name: string): number {
    const n = this.cachedInt(name);
    return n === undefined ? 0 : n;
  }

  getInt(name: string): number | undefined {
    const n = this.cachedInt(name);
    return n === undefined || Number.isNaN(n) ? undefined : n;
  }

  /**
   * Write `value` as `sysctl -w` / `echo > /proc/sys/...` would. Returns null
   * on success or the errno text (SYSCTL_ERR).
   */
  set(name: string, value: string): SysctlError | null {
    const key = this.key(name);
    const e = this.entries.get(key);
    if (!e) return ENOENT;
    if (e.spec.ro) return EACCES;
    const v = value.endsWith('\n') ? value.slice(0, -1) : value;
    switch (e.spec.t) {
      case 'i':
        return this.writeInt(key, e, v);
      case 'iv':
        return this.writeInts(key, e, v);
      default:
        return this.writeString(key, e, v);
    }
  }

  /**
   * [dotted name, value] of every readable entry under `prefix` (whole
   * components; '' = all), in `sysctl -a` order. Like procps, leaves named in
   * SYSCTL_DEPRECATED are left out unless `deprecated` (sysctl --deprecated).
   */
  list(prefix = '', opts: { deprecated?: boolean } = {}): Array<[string, string]> {
    if (!this.sorted) {
      const paths = [...this.entries.keys()].map((k) => k.split('/'));
      paths.sort(compareComponents);
      this.sorted = paths.map((p) => p.join('/'));
    }
    const pre = sysctlPath(prefix).join('/');
    const out: Array<[string, string]> = [];
    for (const key of this.sorted) {
      if (pre && key !== pre && !key.startsWith(pre + '/')) continue;
      const e = this.entries.get(key)!;
      if (e.spec.wo) continue;
      if (!opts.deprecated && SYSCTL_DEPRECATED.includes(key.slice(key.lastIndexOf('/') + 1))) continue;
      out.push([sysctlName(...key.split('/')), e.value]);
    }
    return out;
  }

  /** Interfaces that have a net.ipv4.conf directory (besides all and default). */
  interfaces(): string[] {
    const out: string[] = [];
    for (const key of this.entries.keys()) {
      if (!key.startsWith(CONF) || !key.endsWith('/forwarding')) continue;
      const ifname = key.slice(CONF.length, -'/forwarding'.length);
      if (ifname !== 'all' && ifname !== 'default') out.push(ifname);
    }
    return out;
  }

  /**
   * Create net.ipv4.conf.IF.* from conf.default (values and which ones were
   * written, as inetdev_init's memcpy does) and net.ipv4.neigh.IF.* from
   * neigh.default (neigh_parms_alloc). No change callbacks fire.
   */
  addInterface(ifname: string): void {
    if (!ifname || ifname === 'all' || ifname === 'default' || /[/\s:]/.test(ifname)) {
      throw new Error(`sysctl: bad interface name "${ifname}"`);
    }
    if (this.entries.has(CONF + ifname + '/forwarding')) return;
    for (const [key, e] of [...this.entries]) {
      if (!key.startsWith(CONF + 'default/')) continue;
      const leaf = key.slice(CONF.length + 'default/'.length);
      this.entries.set(CONF + ifname + '/' + leaf, { spec: stripInit(e.spec), value: e.value, explicit: e.explicit });
    }
    for (const leaf of this.neighDevKeys) {
      const dflt = this.entries.get(NEIGH + 'default/' + leaf);
      const lo = SYSCTL_DEFAULTS[sysctlName('net', 'ipv4', 'neigh', 'lo', leaf)];
      const dname = sysctlName('net', 'ipv4', 'neigh', 'default', leaf);
      const value = dflt?.value ?? SYSCTL_DEFAULTS[dname]?.v ?? lo.v;
      this.entries.set(NEIGH + ifname + '/' + leaf, { spec: stripInit(lo), value, explicit: dflt?.explicit ?? false });
    }
    this.sorted = null;
    this.ints.clear();
    this.conf.clear();
    this.gen++;
  }

  /** Remove net.ipv4.conf.IF.* and net.ipv4.neigh.IF.*; false if there were none. */
  removeInterface(ifname: string): boolean {
    if (ifname === 'all' || ifname === 'default') return false;
    let removed = false;
    for (const key of [...this.entries.keys()]) {
      if (key.startsWith(CONF + ifname + '/') || key.startsWith(NEIGH + ifname + '/')) {
        this.entries.delete(key);
        removed = true;
      }
    }
    if (removed) {
      this.sorted = null;
      this.ints.clear();
      this.conf.clear();
      this.gen++;
    }
    return removed;
  }

  /**
   * Call `cb(dottedName, value)` whenever an entry at or under `name` (whole
   * components; '' = everything) changes value, including changes made as a
   * side effect (ip_forward -> conf.*.forwarding, conf.default.X -> conf.IF.X).
   * Returns the unsubscribe function.
   */
  onChange(name: string, cb: ChangeCallback): () => void {
    const key = this.key(name);
    let set = this.subs.get(key);
    if (!set) this.subs.set(key, (set = new Set()));
    set.add(cb);
    return () => {
      set!.delete(cb);
    };
  }

  // ---- writes --------------------------------------------------------------

  private writeInt(key: string, e: Entry, v: string): SysctlError | null {
    const p = parseLong(v, skipBlanks(v, 0));
    if (!p) return EINVAL;
    let [min, max] = [big(e.spec.min, INT_MIN), big(e.spec.max, INT_MAX)];
    [min, max] = this.dynamicRange(key, min, max);
    if (p.value < min || p.value > max) return EINVAL;
    let n = Number(p.value);
    if (e.spec.q === 'ms') n = jiffiesToMs(msToJiffies(n));
    else if (e.spec.q === 'uhz') n = jiffiesToClock(clockToJiffies(n));
    this.afterIntWrite(key, e, n);
    return null;
  }

  /** Ranges that depend on another entry. */
  private dynamicRange(key: string, min: bigint, max: bigint): [bigint, bigint] {
    switch (key) {
      case 'net/ipv4/ip_unprivileged_port_start': {
        const lo = BigInt(this.intsOf('net/ipv4/ip_local_port_range')[0] ?? 65535);
        return [0n, lo < 65535n ? lo : 65535n];
      }
      case 'net/ipv4/ipfrag_low_thresh':
        return [0n, BigInt(this.intOf('net/ipv4/ipfrag_high_thresh') ?? Number(max))];
      case 'net/ipv4/ipfrag_high_thresh':
        return [BigInt(this.intOf('net/ipv4/ipfrag_low_thresh') ?? Number(min)), max];
    }
    return [min, max];
  }

  private writeInts(key: string, e: Entry, v: string): SysctlError | null {
    const old = this.intsOf(key);
    const vals = parseInts(v, old.length);
    if (!vals) return EINVAL;
    const next = old.map((o, i) => (i < vals.length ? vals[i] : BigInt(o)));
    const leaf = key.slice(key.lastIndexOf('/') + 1);
    switch (leaf) {
      case 'ip_local_port_range': {
        if (next.some((x) => x < 1n || x > 65535n)) return EINVAL;
        const prot = BigInt(this.intOf('net/ipv4/ip_unprivileged_port_start') ?? 1024);
        if (next[1] < next[0] || next[0] < prot) return EINVAL;
        break;
      }
      case 'ping_group_range':
        if (next.some((x) => x < 0n || x > 4294967294n)) return EINVAL;
        if (next[1] < next[0]) [next[0], next[1]] = [1n, 0n];
        break;
      case 'tcp_rmem':
      case 'tcp_wmem':
        if (next.some((x) => x < 1n || x > INT_MAX)) return EINVAL;
        break;
      case 'tcp_mem':
      case 'udp_mem':
        if (next.some((x) => x < 0n || x > U64_MAX)) return EINVAL;
        break;
      default:
        if (next.some((x) => x < INT_MIN || x > INT_MAX)) return EINVAL;
    }
    this.store(key, e, next.join('\t'));
    return null;
  }

  private writeString(key: string, e: Entry, v: string): SysctlError | null {
    if (e.spec.wo) {
      // route.flush and the like: an action, never stored; every write is news.
      this.emit(key, v);
      return null;
    }
    switch (key) {
      case 'net/ipv4/tcp_congestion_control': {
        const name = v.trim();
        if (!this.words('net/ipv4/tcp_available_congestion_control').includes(name)) return ENOENT;
        const allowed = this.words('net/ipv4/tcp_allowed_congestion_control');
        if (name !== 'reno' && !allowed.includes(name)) return EPERM;
        this.store(key, e, name);
        return null;
      }
      case 'net/core/default_qdisc': {
        const name = v.trim();
        if (!DEFAULT_QDISCS.has(name)) return ENOENT;
        this.store(key, e, name);
        return null;
      }
    }
    this.store(key, e, v);
    return null;
  }

  private afterIntWrite(key: string, e: Entry, n: number): void {
    if (key === IP_FORWARD || key === ALL_FORWARDING) {
      this.writeForwarding(n);
      return;
    }
    if (key.startsWith(CONF)) {
      const [ifname, leaf] = key.slice(CONF.length).split('/');
      this.store(key, e, String(n));
      if (leaf !== 'forwarding' && DEVINET_CONF_PROC.has(leaf)) {
        e.explicit = true;
        if (ifname === 'default') this.copyDefault(CONF, leaf);
      }
      return;
    }
    if (key.startsWith(NEIGH)) {
      const [dir, leaf] = key.slice(NEIGH.length).split('/');
      this.writeNeigh(dir, leaf, n);
      if (dir === 'default') {
        this.copyDefault(NEIGH, leaf);
        if (NEIGH_TWINS[leaf]) this.copyDefault(NEIGH, NEIGH_TWINS[leaf]);
      }
      return;
    }
    this.store(key, e, String(n));
  }

  /** devinet_sysctl_forward on ip_forward / conf.all.forwarding (one variable). */
  private writeForwarding(on: number): void {
    const old = this.intOf(ALL_FORWARDING) ?? 0;
    this.storeKey(IP_FORWARD, String(on));
    this.storeKey(ALL_FORWARDING, String(on));
    if (on === old) return;
    // inet_forward_change()
    this.storeKey(CONF + 'all/accept_redirects', on ? '0' : '1');
    this.storeKey(CONF + 'default/forwarding', String(on));
    for (const ifname of this.interfaces()) {
      const k = CONF + ifname + '/forwarding';
      this.storeKey(k, String(on));
    }
  }

  /** A neighbour parm and its twin in other units, marked explicitly set. */
  private writeNeigh(dir: string, leaf: string, n: number): void {
    const base = NEIGH + dir + '/';
    const vals: Record<string, number> = { [leaf]: n };
    switch (leaf) {
      case 'base_reachable_time':
        vals.base_reachable_time_ms = jiffiesToMs(n * SYSCTL_HZ);
        break;
      case 'base_reachable_time_ms':
        vals.base_reachable_time = Math.trunc(msToJiffies(n) / SYSCTL_HZ);
        break;
      case 'retrans_time':
        vals.retrans_time_ms = jiffiesToMs(clockToJiffies(n));
        break;
      case 'retrans_time_ms':
        vals.retrans_time = jiffiesToClock(msToJiffies(n));
        break;
      case 'unres_qlen':
        vals.unres_qlen_bytes = n * NEIGH_UNRES_TRUESIZE;
        break;
      case 'unres_qlen_bytes':
        vals.unres_qlen = Math.trunc(n / NEIGH_UNRES_TRUESIZE);
        break;
    }
    for (const [l, x] of Object.entries(vals)) {
      const e = this.entries.get(base + l);
      if (!e) continue;
      e.explicit = true;
      this.store(base + l, e, String(x));
    }
  }

  /** devinet_copy_dflt_conf / neigh_copy_dflt_parms: default -> interfaces never written. */
  private copyDefault(root: string, leaf: string): void {
    const dflt = this.entries.get(root + 'default/' + leaf);
    if (!dflt) return;
    for (const [key, e] of this.entries) {
      if (!key.startsWith(root) || !key.endsWith('/' + leaf) || e.explicit) continue;
      const dir = key.slice(root.length, -(leaf.length + 1));
      if (dir === 'default' || dir === 'all' || dir.includes('/')) continue;
      this.store(key, e, dflt.value);
    }
  }

  private storeKey(key: string, value: string): void {
    const e = this.entries.get(key);
    if (e) this.store(key, e, value);
  }

  private store(key: string, e: Entry, value: string): void {
    if (e.value === value) return;
    e.value = value;
    this.ints.clear();
    this.conf.clear();
    this.gen++;
    this.emit(key, value);
  }

  private emit(key: string, value: string): void {
    if (!this.subs.size) return;
    const parts = key.split('/');
    const name = sysctlName(...parts);
    for (let i = 0; i <= parts.length; i++) {
      const set = this.subs.get(parts.slice(0, i).join('/'));
      if (set) for (const cb of [...set]) cb(name, value);
    }
  }

  private intOf(key: string): number | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    const n = parseInt(e.value, 10);
    return Number.isNaN(n) ? undefined : n;
  }

  private intsOf(key: string): string[] {
    return this.entries.get(key)?.value.split('\t') ?? [];
  }

  private words(key: string): string[] {
    return this.entries.get(key)?.value.split(/\s+/).filter(Boolean) ?? [];
  }
}

function stripInit(spec: SysctlSpec): SysctlSpec {
  if (!spec.init) return spec;
  const { init: _init, ...rest } = spec;
  return rest;
}
