// net/netfilter/x_tables.c + net/ipv4/netfilter/ip_tables.c: tables of
// chains of rules (struct ipt_entry: the IP part, matches, a target and
// counters) and ipt_do_table, the walk a packet takes through them. The
// tables are created on the first command that changes them and then hook
// into the stack at their priorities, as iptables-nft's base chains do.
import type { Net } from '../net_namespace.js';
import type { SkBuff } from '../core/skbuff.js';
import type { NetDevice } from '../core/netdevice.js';
import { iph, IP_OFFSET } from '../wire/ip.js';
import {
  type NfHookOps,
  type NfHookState,
  nf_register_net_hook,
  NF_ACCEPT,
  NF_DROP,
  NF_INET_PRE_ROUTING,
  NF_INET_LOCAL_IN,
  NF_INET_FORWARD,
  NF_INET_LOCAL_OUT,
  NF_INET_POST_ROUTING,
  NF_IP_PRI_FILTER,
  NF_IP_PRI_MANGLE,
  NF_IP_PRI_RAW,
} from './core.js';

export const IPT_INV_VIA_IN = 0x01;
export const IPT_INV_VIA_OUT = 0x02;
export const IPT_INV_SRCIP = 0x08;
export const IPT_INV_DSTIP = 0x10;
export const IPT_INV_FRAG = 0x20;
export const XT_INV_PROTO = 0x40;

/** A target's "go on with the next rule" (XT_CONTINUE). */
export const XT_CONTINUE = -1;

/** struct ipt_ip: the fixed part of a rule. */
export interface IptIp {
  src: number;
  smsk: number;
  dst: number;
  dmsk: number;
  /** '' for any; a trailing '+' matches every name with that prefix. */
  iniface: string;
  outiface: string;
  /** 0: any protocol. */
  proto: number;
  /** -f: only second and further fragments. */
  frag: boolean;
  invflags: number;
}

/** xt_action_param: what matches and targets are told about the packet. */
export interface XtActionParam {
  net: Net;
  in: NetDevice | null;
  out: NetDevice | null;
  hook: number;
  table: string;
  /** Fragment offset in bytes (non-zero: no transport header here). */
  fragoff: number;
  /** Offset of the transport header in skb.buf. */
  thoff: number;
}

export interface XtEntryMatch {
  name: string;
  /** The extension's own data (struct xt_*_info). */
  data: any;
}

export interface XtEntryTarget {
  /** '' (no target), ACCEPT, DROP, RETURN, a user chain, or an extension. */
  name: string;
  data: any;
}

export interface XtCounters {
  pcnt: number;
  bcnt: number;
}

export interface IptEntry {
  ip: IptIp;
  matches: XtEntryMatch[];
  target: XtEntryTarget;
  /** -g: go to the chain without a return address. */
  goto: boolean;
  counters: XtCounters;
}

export interface XtChain {
  name: string;
  /** NF_INET_* of a built-in chain, -1 for a user chain. */
  hook: number;
  policy: 'ACCEPT' | 'DROP' | null;
  counters: XtCounters;
  /** The base chain counts what its policy decides (nft chain counters,
   * which iptables-nft only adds with -P). */
  stats: boolean;
  rules: IptEntry[];
}

export interface XtTable {
  name: string;
  chains: XtChain[];
  ops: NfHookOps[];
}

/** Kernel side of a match extension (struct xt_match). */
export interface XtMatchOps {
  match(skb: SkBuff, par: XtActionParam, data: any): boolean;
  /** checkentry: an errno name when the rule is refused. */
  checkentry?(e: IptEntry, data: any, table: string, hooks: number[]): string | null;
  /** Needs connection tracking (nf_ct_netns_get). */
  conntrack?: boolean;
}

/** Kernel side of a target extension (struct xt_target). */
export interface XtTargetOps {
  target(skb: SkBuff, par: XtActionParam, data: any): number;
  checkentry?(e: IptEntry, data: any, table: string, hooks: number[]): string | null;
  conntrack?: boolean;
  /** Tables it may be used in (null: any). */
  tables?: string[];
  /** Hooks it may be used from (null: any). */
  hooks?: number[];
}

export const xt_matches = new Map<string, XtMatchOps>();
export const xt_targets = new Map<string, XtTargetOps>();

/** Built-in chains per table, in listing order, with their hook priority. */
export const XT_TABLES: Record<string, { hooks: number[]; priority: number }> = {
  filter: { hooks: [NF_INET_LOCAL_IN, NF_INET_FORWARD, NF_INET_LOCAL_OUT], priority: NF_IP_PRI_FILTER },
  nat: { hooks: [NF_INET_PRE_ROUTING, NF_INET_LOCAL_IN, NF_INET_LOCAL_OUT, NF_INET_POST_ROUTING], priority: 0 },
  mangle: { hooks: [NF_INET_PRE_ROUTING, NF_INET_LOCAL_IN, NF_INET_FORWARD, NF_INET_LOCAL_OUT, NF_INET_POST_ROUTING], priority: NF_IP_PRI_MANGLE },
  raw: { hooks: [NF_INET_PRE_ROUTING, NF_INET_LOCAL_OUT], priority: NF_IP_PRI_RAW },
};

const HOOK_CHAIN = ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'];

/** Per-namespace netfilter state (net->nf, net->ct, net_generic). */
export interface NfNet {
  tables: Map<string, XtTable>;
  /** Users of connection tracking (nf_ct_netns_get / put). */
  ctUsers: number;
}

const pernet = new WeakMap<Net, NfNet>();

export function nf_net(net: Net): NfNet {
  let s = pernet.get(net);
  if (!s) {
    s = { tables: new Map(), ctUsers: 0 };
    pernet.set(net, s);
  }
  return s;
}

/** Hooks that want to know when conntrack is needed (nf_conntrack registers). */
export const nf_ct_netns_hooks: { get: ((net: Net) => void) | null; put: ((net: Net) => void) | null } = { get: null, put: null };

export function nf_ct_netns_get(net: Net): void {
  if (nf_net(net).ctUsers++ === 0) nf_ct_netns_hooks.get?.(net);
}

export function nf_ct_netns_put(net: Net): void {
  const s = nf_net(net);
  if (s.ctUsers > 0 && --s.ctUsers === 0) nf_ct_netns_hooks.put?.(net);
}

/** The nat table registers with nf_nat rather than as plain hooks. */
export const nat_table_hooks: { register: ((net: Net, t: XtTable) => void) | null } = { register: null };

/** Look a table up; create it (with its hooks) when `create`. */
export function xt_find_table(net: Net, name: string, create: boolean): XtTable | null {
  const s = nf_net(net);
  let t = s.tables.get(name);
  if (t || !create) return t ?? null;
  const def = XT_TABLES[name];
  if (!def) return null;
  t = {
    name,
    chains: def.hooks.map((h) => ({ name: HOOK_CHAIN[h], hook: h, policy: 'ACCEPT' as const, counters: { pcnt: 0, bcnt: 0 }, stats: false, rules: [] })),
    ops: [],
  };
  s.tables.set(name, t);
  const table = t;
  if (name === 'nat') {
    nat_table_hooks.register?.(net, t);
  } else {
    for (const h of def.hooks) {
      const ops: NfHookOps = { hook: h, priority: def.priority, fn: (n, skb, st) => ipt_do_table(n, skb, st, table) };
      t.ops.push(ops);
      nf_register_net_hook(net, ops);
    }
  }
  return t;
}

export function xt_find_chain(t: XtTable, name: string): XtChain | undefined {
  return t.chains.find((c) => c.name === name);
}

/** Rules that jump to a chain (its reference count). */
export function xt_chain_refs(t: XtTable, name: string): number {
  let n = 0;
  for (const c of t.chains) for (const r of c.rules) if (r.target.name === name) n++;
  return n;
}

function iface_match(rule: string, dev: NetDevice | null): boolean {
  if (!rule) return true;
  const name = dev?.name ?? '';
  if (rule.endsWith('+')) return name.startsWith(rule.slice(0, -1));
  return name === rule;
}

const FWINV = (bool: boolean, flags: number, bit: number) => bool !== ((flags & bit) !== 0);

/** ip_packet_match. */
function ip_packet_match(b: Uint8Array, o: number, ip: IptIp, indev: NetDevice | null, outdev: NetDevice | null, fragoff: number): boolean {
  if (FWINV(((iph.saddr(b, o) & ip.smsk) >>> 0) !== ip.src, ip.invflags, IPT_INV_SRCIP)) return false;
  if (FWINV(((iph.daddr(b, o) & ip.dmsk) >>> 0) !== ip.dst, ip.invflags, IPT_INV_DSTIP)) return false;
  if (ip.iniface && FWINV(!iface_match(ip.iniface, indev), ip.invflags, IPT_INV_VIA_IN)) return false;
  if (ip.outiface && FWINV(!iface_match(ip.outiface, outdev), ip.invflags, IPT_INV_VIA_OUT)) return false;
  if (ip.proto && FWINV(iph.protocol(b, o) !== ip.proto, ip.invflags, XT_INV_PROTO)) return false;
  if (ip.frag && FWINV(fragoff === 0, ip.invflags, IPT_INV_FRAG)) return false;
  return true;
}

/** ipt_do_table: walk the hook's chain; jumps push a return address. */
export function ipt_do_table(net: Net, skb: SkBuff, state: NfHookState, table: XtTable): number {
  const b = skb.buf;
  const o = skb.network_header;
  const fragoff = (iph.frag_off(b, o) & IP_OFFSET) * 8;
  const par: XtActionParam = { net, in: state.in, out: state.out, hook: state.hook, table: table.name, fragoff, thoff: o + iph.ihl(b, o) * 4 };
  const base = table.chains.find((c) => c.hook === state.hook);
  if (!base) return NF_ACCEPT;
  const stack: { chain: XtChain; i: number }[] = [];
  let chain = base;
  let i = 0;
  for (;;) {
    if (i >= chain.rules.length) {
      const back = stack.pop();
      if (back) {
        chain = back.chain;
        i = back.i + 1;
        continue;
      }
      return policy(net, skb, base, table);
    }
    const e = chain.rules[i];
    if (!ip_packet_match(b, o, e.ip, state.in, state.out, fragoff) || !e.matches.every((m) => xt_matches.get(m.name)?.match(skb, par, m.data) ?? false)) {
      i++;
      continue;
    }
    e.counters.pcnt++;
    e.counters.bcnt += skb.len;
    const t = e.target.name;
    if (t === '') {
      i++;
      continue;
    }
    if (t === 'ACCEPT') return NF_ACCEPT;
    if (t === 'DROP') return NF_DROP;
    if (t === 'RETURN') {
      const back = stack.pop();
      if (!back) return policy(net, skb, base, table);
      chain = back.chain;
      i = back.i + 1;
      continue;
    }
    const user = table.chains.find((c) => c.name === t && c.hook < 0);
    if (user) {
      if (!e.goto) stack.push({ chain, i });
      chain = user;
      i = 0;
      continue;
    }
    const ops = xt_targets.get(t);
    const v = ops ? ops.target(skb, par, e.target.data) : NF_DROP;
    if (v === XT_CONTINUE) {
      i++;
      continue;
    }
    return v;
  }
}

function policy(net: Net, skb: SkBuff, base: XtChain, table: XtTable): number {
  if (base.stats) {
    base.counters.pcnt++;
    base.counters.bcnt += skb.len;
  }
  net.tracer.fn(skb, 'ipt_do_table', `${table.name} ${base.name} policy ${base.policy}`);
  return base.policy === 'DROP' ? NF_DROP : NF_ACCEPT;
}

/** Hooks from which a chain can be reached (for checkentry). */
export function xt_chain_hooks(t: XtTable, chain: XtChain, seen = new Set<string>()): number[] {
  if (chain.hook >= 0) return [chain.hook];
  if (seen.has(chain.name)) return [];
  seen.add(chain.name);
  const hooks = new Set<number>();
  for (const c of t.chains) if (c.rules.some((r) => r.target.name === chain.name)) for (const h of xt_chain_hooks(t, c, seen)) hooks.add(h);
  return [...hooks];
}

/** Does a rule need conntrack (a state match, a NAT target)? */
export function entry_needs_conntrack(e: IptEntry): boolean {
  return e.matches.some((m) => xt_matches.get(m.name)?.conntrack) || !!xt_targets.get(e.target.name)?.conntrack;
}

/** translate_table's checks for one new rule: an errno name or null. */
export function xt_check_entry(t: XtTable, chain: XtChain, e: IptEntry): string | null {
  const hooks = xt_chain_hooks(t, chain);
  for (const m of e.matches) {
    const ops = xt_matches.get(m.name);
    if (!ops) return 'ENOENT';
    const err = ops.checkentry?.(e, m.data, t.name, hooks);
    if (err) return err;
  }
  const tn = e.target.name;
  if (tn && tn !== 'ACCEPT' && tn !== 'DROP' && tn !== 'RETURN' && !t.chains.some((c) => c.name === tn && c.hook < 0)) {
    const ops = xt_targets.get(tn);
    if (!ops) return 'ENOENT';
    if (ops.tables && !ops.tables.includes(t.name)) return 'EINVAL';
    if (ops.hooks && hooks.some((h) => !ops.hooks!.includes(h))) return 'EINVAL';
    const err = ops.checkentry?.(e, e.target.data, t.name, hooks);
    if (err) return err;
  }
  return null;
}

/** Insert a rule at index (0-based); takes conntrack when it needs it. */
export function xt_insert_rule(net: Net, chain: XtChain, e: IptEntry, at: number): void {
  chain.rules.splice(at, 0, e);
  if (entry_needs_conntrack(e)) nf_ct_netns_get(net);
}

export function xt_delete_rule(net: Net, chain: XtChain, at: number): void {
  const [e] = chain.rules.splice(at, 1);
  if (e && entry_needs_conntrack(e)) nf_ct_netns_put(net);
}
