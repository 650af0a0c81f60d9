// The FIB (net/ipv4/fib_trie.c, fib_semantics.c, fib_frontend.c): per-table
// routes found by longest prefix match. Within one prefix, aliases are kept
// in the kernel's order (TOS, then priority), and a dump walks keys in
// ascending order with longer prefixes of the same key first, as the trie's
// leaf lists are ordered, so `ip route show` prints what Linux prints.
import type { NetDevice } from '../core/netdevice.js';
import { inet_make_mask } from '../wire/ip.js';

export const RT_TABLE_UNSPEC = 0;
export const RT_TABLE_DEFAULT = 253;
export const RT_TABLE_MAIN = 254;
export const RT_TABLE_LOCAL = 255;

export const RTN_UNSPEC = 0;
export const RTN_UNICAST = 1;
export const RTN_LOCAL = 2;
export const RTN_BROADCAST = 3;
export const RTN_ANYCAST = 4;
export const RTN_MULTICAST = 5;
export const RTN_BLACKHOLE = 6;
export const RTN_UNREACHABLE = 7;
export const RTN_PROHIBIT = 8;
export const RTN_THROW = 9;
export const RTN_NAMES = ['unspec', 'unicast', 'local', 'broadcast', 'anycast', 'multicast', 'blackhole', 'unreachable', 'prohibit', 'throw'];

export const RT_SCOPE_UNIVERSE = 0;
export const RT_SCOPE_SITE = 200;
export const RT_SCOPE_LINK = 253;
export const RT_SCOPE_HOST = 254;
export const RT_SCOPE_NOWHERE = 255;

export const RTPROT_UNSPEC = 0;
export const RTPROT_REDIRECT = 1;
export const RTPROT_KERNEL = 2;
export const RTPROT_BOOT = 3;
export const RTPROT_STATIC = 4;

/** fib_props[type].error, as errno names. */
export const FIB_PROPS_ERROR: Record<number, string | null> = {
  [RTN_UNICAST]: null,
  [RTN_LOCAL]: null,
  [RTN_BROADCAST]: null,
  [RTN_ANYCAST]: null,
  [RTN_MULTICAST]: null,
  [RTN_BLACKHOLE]: 'EINVAL',
  [RTN_UNREACHABLE]: 'EHOSTUNREACH',
  [RTN_PROHIBIT]: 'EACCES',
  [RTN_THROW]: 'EAGAIN',
};

/** A cached path MTU learnt from "fragmentation needed" (fib_nh_exception). */
export interface NhException {
  pmtu: number;
  /** Absolute expiry time (ns). */
  expires: number;
  /** The MTU was clamped to min_pmtu (RTAX_MTU locked). */
  lock?: boolean;
}

export interface FibNh {
  gw: number;
  dev: NetDevice | null;
  onlink: boolean;
  /** Nexthop exceptions keyed by destination (PMTU). */
  exceptions: Map<number, NhException>;
}

/** One route: struct fib_alias + struct fib_info with a single nexthop. */
export interface FibAlias {
  dst: number;
  plen: number;
  tos: number;
  type: number;
  scope: number;
  protocol: number;
  priority: number;
  prefsrc: number;
  table: number;
  nh: FibNh;
  /** RTAX_MTU metric (0: none). */
  mtu: number;
  /** The nexthop's device went away or down (RTNH_F_DEAD). */
  dead: boolean;
}

export interface FibResult {
  fa: FibAlias;
  type: number;
  prefixlen: number;
  table: number;
}

/** The result for an alias, made once and reused (results are read, never
 * changed): a lookup per packet allocates nothing. A symbol key keeps it
 * out of what dumps and JSON see; a copied alias makes its own. */
const RESULT = Symbol('fib result');
function fib_result(fa: FibAlias, plen: number, table: number): FibResult {
  const c = fa as FibAlias & { [RESULT]?: FibResult };
  const r = c[RESULT];
  if (r !== undefined && r.fa === fa && r.type === fa.type && r.prefixlen === plen && r.table === table) return r;
  return (c[RESULT] = { fa, type: fa.type, prefixlen: plen, table });
}

/** inet_make_mask(plen) as int32 (the same bits): no number boxed per lookup. */
const MASKS = Int32Array.from({ length: 33 }, (_, plen) => inet_make_mask(plen) | 0);

export class FibTable {
  /** prefix length -> network key -> aliases in kernel order. */
  private byPlen: Map<number, FibAlias[]>[] = Array.from({ length: 33 }, () => new Map());
  /** Prefix lengths in use, longest first (lookup order). */
  private plens: number[] = [];
  /** Bumped on every change so cached routes know to look again. */
  get genid(): number {
    return this._genid;
  }
  set genid(v: number) {
    if (this.owner) this.owner.genSum += v - this._genid;
    this._genid = v;
  }
  private _genid = 0;

  constructor(
    readonly id: number,
    /** The namespace's tables, which keep the sum of every genid. */
    private readonly owner: FibTables | null = null,
  ) {}

  /** fib_table_insert. Returns null or an errno name. */
  insert(fa: FibAlias, opts: { excl: boolean; replace: boolean; append: boolean }): string | null {
    const key = (fa.dst & inet_make_mask(fa.plen)) >>> 0;
    fa.dst = key;
    const m = this.byPlen[fa.plen];
    let list = m.get(key);
    if (!list) {
      list = [];
      m.set(key, list);
      if (!this.plens.includes(fa.plen)) this.plens = [...this.plens, fa.plen].sort((a, b) => b - a);
    }
    // fib_find_alias: first alias with tos <= new tos and priority >= new.
    let i = list.findIndex((x) => x.tos < fa.tos || (x.tos === fa.tos && x.priority >= fa.priority));
    if (i < 0) i = list.length;
    const same = list[i];
    if (same && same.tos === fa.tos && same.priority === fa.priority) {
      if (opts.excl) return 'EEXIST';
      if (opts.replace) {
        list[i] = fa;
        this.genid++;
        return null;
      }
      // Append after the last alias with the same tos and priority.
      if (opts.append) {
        while (i < list.length && list[i].tos === fa.tos && list[i].priority === fa.priority) i++;
      } else {
        // Prepend (NLM_F_CREATE without EXCL): an identical route is EEXIST.
        for (let j = i; j < list.length && list[j].tos === fa.tos && list[j].priority === fa.priority; j++) {
          if (sameRoute(list[j], fa)) return 'EEXIST';
        }
      }
    } else if (opts.replace && !same) {
      // replace with nothing to replace creates.
    }
    list.splice(i, 0, fa);
    this.genid++;
    return null;
  }

  /** fib_table_delete: the first alias matching every given attribute. */
  delete(match: Partial<FibAlias> & { dst: number; plen: number }, has: Set<keyof FibAlias | 'gw' | 'dev'>): FibAlias | null {
    const key = (match.dst & inet_make_mask(match.plen)) >>> 0;
    const list = this.byPlen[match.plen].get(key);
    if (!list) return null;
    const i = list.findIndex(
      (x) =>
        (!has.has('tos') || x.tos === match.tos) &&
        (!has.has('priority') || x.priority === match.priority) &&
        (!has.has('type') || x.type === match.type) &&
        (!has.has('scope') || x.scope === match.scope) &&
        (!has.has('protocol') || x.protocol === match.protocol) &&
        (!has.has('prefsrc') || x.prefsrc === match.prefsrc) &&
        (!has.has('gw') || x.nh.gw === match.nh?.gw) &&
        (!has.has('dev') || x.nh.dev === match.nh?.dev),
    );
    if (i < 0) return null;
    const [fa] = list.splice(i, 1);
    if (!list.length) this.byPlen[match.plen].delete(key);
    this.genid++;
    return fa;
  }

  /** Remove every alias for which pred holds (device gone, address removed). */
  flush(pred: (fa: FibAlias) => boolean): number {
    let n = 0;
    for (const m of this.byPlen) {
      for (const [k, list] of m) {
        const keep = list.filter((fa) => !pred(fa));
        n += list.length - keep.length;
        if (!keep.length) m.delete(k);
        else if (keep.length !== list.length) m.set(k, keep);
      }
    }
    if (n) this.genid++;
    return n;
  }

  /** fib_table_lookup: longest prefix, then the first usable alias. */
  lookup(daddr: number, scope: number, oif: number): FibResult | null {
    const plens = this.plens;
    for (let i = 0; i < plens.length; i++) {
      const plen = plens[i];
      const list = this.byPlen[plen].get((daddr & MASKS[plen]) >>> 0);
      if (list === undefined) continue;
      for (let j = 0; j < list.length; j++) {
        const fa = list[j];
        if (fa.scope < scope) continue;
        if (fa.dead) continue;
        const dev = fa.nh.dev;
        if (dev && !dev.up && fa.type !== RTN_LOCAL) continue; // fib_sync_down_dev kills all but host-scope nexthops
        if (oif && dev && dev.ifindex !== oif && fa.type !== RTN_LOCAL) continue;
        return fib_result(fa, plen, this.id);
      }
    }
    return null;
  }

  /** Every alias in dump order (fib_table_dump). */
  dump(): FibAlias[] {
    const all: FibAlias[] = [];
    for (let plen = 32; plen >= 0; plen--) for (const list of this.byPlen[plen].values()) all.push(...list);
    // Key ascending; for equal keys the longer prefix first; stable within a prefix.
    return all
      .map((fa, i) => ({ fa, i }))
      .sort((a, b) => a.fa.dst - b.fa.dst || b.fa.plen - a.fa.plen || a.i - b.i)
      .map((x) => x.fa);
  }
}

function sameRoute(a: FibAlias, b: FibAlias): boolean {
  return a.type === b.type && a.scope === b.scope && a.nh.gw === b.nh.gw && a.nh.dev === b.nh.dev && a.prefsrc === b.prefsrc;
}

/** The tables of one namespace and the default policy (local, main, default). */
export class FibTables {
  /** Sum of the tables' genids (kept by FibTable.genid's setter). */
  genSum = 0;
  readonly tables = new Map<number, FibTable>([
    [RT_TABLE_LOCAL, new FibTable(RT_TABLE_LOCAL, this)],
    [RT_TABLE_MAIN, new FibTable(RT_TABLE_MAIN, this)],
  ]);
  /** The local, main and default tables, as the default rules visit them. */
  private ruleTables: (FibTable | undefined)[] = [this.tables.get(RT_TABLE_LOCAL), this.tables.get(RT_TABLE_MAIN), undefined];

  get local(): FibTable {
    return this.tables.get(RT_TABLE_LOCAL)!;
  }
  get main(): FibTable {
    return this.tables.get(RT_TABLE_MAIN)!;
  }

  /** fib_new_table. */
  table(id: number): FibTable {
    let t = this.tables.get(id);
    if (!t) {
      t = new FibTable(id, this);
      this.tables.set(id, t);
      if (id === RT_TABLE_DEFAULT) this.ruleTables[2] = t;
    }
    return t;
  }

  /** Sum of generation counters: any change anywhere invalidates caches. */
  get genid(): number {
    return this.genSum;
  }

  /** fib_lookup with the default rules: local (0), main (32766), default (32767). */
  lookup(daddr: number, scope = RT_SCOPE_UNIVERSE, oif = 0): FibResult | null {
    const rt = this.ruleTables;
    for (let i = 0; i < 3; i++) {
      const t = rt[i];
      if (!t) continue;
      const r = t.lookup(daddr, scope, oif);
      if (r) {
        if (r.type === RTN_THROW) continue;
        return r;
      }
    }
    return null;
  }
}
