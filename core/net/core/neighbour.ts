// net/core/neighbour.c: the neighbour cache and its NUD state machine.
// INCOMPLETE entries queue packets and probe; answers make them REACHABLE;
// reachability lapses to STALE; using a STALE entry starts DELAY, which turns
// into PROBE unless something confirms the neighbour meanwhile; unanswered
// probes end in FAILED, and the queued packets get "host unreachable".
import type { Net } from '../net_namespace.js';
import type { NetDevice } from './netdevice.js';
import type { TraceFmt } from './trace.js';
import { type SkBuff, kfree_skb } from './skbuff.js';
import type { Timer } from '../../sim/timer.js';
import { timer_setup } from '../../kernel/timer.js';
import { dev_queue_xmit } from './dev.js';
import { ETH_P_IP, eth, BROADCAST_MAC, ether_addr_equal } from '../wire/ethernet.js';
import { COST } from '../../kernel/costs.js';

export const NUD_NONE = 0x00;
export const NUD_INCOMPLETE = 0x01;
export const NUD_REACHABLE = 0x02;
export const NUD_STALE = 0x04;
export const NUD_DELAY = 0x08;
export const NUD_PROBE = 0x10;
export const NUD_FAILED = 0x20;
export const NUD_NOARP = 0x40;
export const NUD_PERMANENT = 0x80;
export const NUD_IN_TIMER = NUD_INCOMPLETE | NUD_REACHABLE | NUD_DELAY | NUD_PROBE;
export const NUD_VALID = NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE | NUD_PROBE | NUD_STALE | NUD_DELAY;
export const NUD_CONNECTED = NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE;

export const NEIGH_UPDATE_F_OVERRIDE = 0x1;
export const NEIGH_UPDATE_F_WEAK_OVERRIDE = 0x2;
export const NEIGH_UPDATE_F_ADMIN = 0x80000000;

export const NUD_NAMES: [number, string][] = [
  [NUD_INCOMPLETE, 'INCOMPLETE'],
  [NUD_REACHABLE, 'REACHABLE'],
  [NUD_STALE, 'STALE'],
  [NUD_DELAY, 'DELAY'],
  [NUD_PROBE, 'PROBE'],
  [NUD_FAILED, 'FAILED'],
  [NUD_NOARP, 'NOARP'],
  [NUD_PERMANENT, 'PERMANENT'],
];

/** struct neigh_parms values, read from net.ipv4.neigh.<dev>.* */
function parm(net: Net, dev: NetDevice, name: string): number {
  return net.sysctlInt(`net.ipv4.neigh.${dev.name}.${name}`);
}

export class Neighbour {
  nud_state = NUD_NONE;
  ha = new Uint8Array(6);
  /** Times in ns. */
  confirmed: number;
  updated: number;
  used: number;
  probes = 0;
  readonly arp_queue: SkBuff[] = [];
  arp_queue_len_bytes = 0;
  readonly timer: Timer;
  isRouter = false;
  dead = false;

  constructor(
    readonly tbl: NeighTable,
    readonly key: number,
    readonly dev: NetDevice,
  ) {
    const now = tbl.net.now();
    this.confirmed = now - 2 * parm(tbl.net, dev, 'base_reachable_time_ms') * 1e6;
    this.updated = now;
    this.used = now;
    this.timer = timer_setup(tbl.net, () => this.tbl.timer_handler(this));
  }
}

/** The table's key for (dev, addr): a number, so a lookup builds no string. */
function neighKey(ifindex: number, key: number): number {
  return ifindex * 0x100000000 + (key >>> 0);
}

export class NeighTable {
  /** Entries by neighKey(ifindex, address), in creation order. */
  readonly entries = new Map<number, Neighbour>();
  /** Per device: reachable_time drawn from base_reachable_time (neigh_rand_reach_time). */
  private reachable = new Map<number, { base: number; value: number }>();
  // /proc/net/stat/arp_cache counters
  readonly stats = { allocs: 0, destroys: 0, lookups: 0, hits: 0, res_failed: 0, unresolved_discards: 0 };
  /** Called to send a solicitation (arp_solicit). */
  solicit: ((n: Neighbour, skb: SkBuff | null) => void) | null = null;
  /** Called with each queued packet when resolution fails (arp_error_report). */
  error_report: ((n: Neighbour, skb: SkBuff) => void) | null = null;

  constructor(readonly net: Net) {}

  reachable_time(dev: NetDevice): number {
    const base = parm(this.net, dev, 'base_reachable_time_ms') * 1e6;
    let r = this.reachable.get(dev.ifindex);
    if (!r || r.base !== base) {
      // base/2 + random(base): uniform in [base/2, 3*base/2).
      r = { base, value: Math.floor(base / 2) + this.net.prng.below(base) };
      this.reachable.set(dev.ifindex, r);
    }
    return r.value;
  }

  lookup(key: number, dev: NetDevice): Neighbour | undefined {
    this.stats.lookups++;
    // The entry found last time, while it is still in the table (a removed
    // one is dead): a flood asks for the same next hop every packet.
    const last = this.last;
    if (last !== null && last.key === key && last.dev === dev && !last.dead) {
      this.stats.hits++;
      return last;
    }
    const n = this.entries.get(neighKey(dev.ifindex, key));
    if (n) {
      this.stats.hits++;
      this.last = n;
    }
    return n;
  }
  private last: Neighbour | null = null;

  create(key: number, dev: NetDevice): Neighbour {
    let n = this.entries.get(neighKey(dev.ifindex, key));
    if (n) return n;
    n = new Neighbour(this, key, dev);
    this.stats.allocs++;
    if (dev.isLoopback || dev.flags & 0x80 /* IFF_NOARP */) {
      n.nud_state = NUD_NOARP;
    }
    this.entries.set(neighKey(dev.ifindex, key), n);
    this.net.tracer.fn(null, 'neigh_create', `dev ${dev.name} ${fmt(key)}`);
    return n;
  }

  remove(n: Neighbour): void {
    n.timer.del();
    n.dead = true;
    this.purge_queue(n);
    this.entries.delete(neighKey(n.dev.ifindex, n.key));
    this.stats.destroys++;
  }

  /** neigh_delete (ip neigh del/flush): fail it first, which reports the
   * packets still waiting for resolution, then unlink it. */
  delete(n: Neighbour): void {
    this.update(n, null, NUD_FAILED, NEIGH_UPDATE_F_OVERRIDE | NEIGH_UPDATE_F_ADMIN);
    this.remove(n);
  }

  /** Remove every entry on dev (device down, address flush). */
  ifdown(dev: NetDevice): void {
    for (const n of [...this.entries.values()]) if (n.dev === dev) this.remove(n);
  }

  private purge_queue(n: Neighbour): void {
    for (const skb of n.arp_queue.splice(0)) kfree_skb(skb, 'NEIGH_DEAD', 'neigh_destroy');
    n.arp_queue_len_bytes = 0;
  }

  /** neigh_max_probes. */
  private max_probes(n: Neighbour): number {
    const net = this.net;
    let m = parm(net, n.dev, 'ucast_solicit') + parm(net, n.dev, 'app_solicit');
    m += n.nud_state & NUD_PROBE ? parm(net, n.dev, 'mcast_resolicit') : parm(net, n.dev, 'mcast_solicit');
    return m;
  }

  /** __neigh_event_send: returns true if the skb was queued (or dropped) for resolution. */
  event_send(n: Neighbour, skb: SkBuff | null): boolean {
    const net = this.net;
    const now = net.now();
    n.used = now;
    if (n.nud_state & (NUD_CONNECTED | NUD_DELAY | NUD_PROBE)) return false;
    if (n.dead) {
      if (skb) kfree_skb(skb, 'NEIGH_DEAD', '__neigh_event_send');
      return true;
    }
    if (!(n.nud_state & (NUD_STALE | NUD_INCOMPLETE))) {
      if (parm(net, n.dev, 'mcast_solicit') + parm(net, n.dev, 'app_solicit')) {
        n.probes = parm(net, n.dev, 'ucast_solicit');
        this.set_state(n, NUD_INCOMPLETE);
        n.updated = now;
        n.timer.mod(now + 1); // probe at once from the timer, as the kernel does
      } else {
        this.set_state(n, NUD_FAILED);
        n.updated = now;
        if (skb) kfree_skb(skb, 'NEIGH_FAILED', '__neigh_event_send');
        return true;
      }
    } else if (n.nud_state & NUD_STALE) {
      this.set_state(n, NUD_DELAY);
      n.updated = now;
      n.timer.mod(now + parm(net, n.dev, 'delay_first_probe_time') * 1e9);
    }
    if (n.nud_state === NUD_INCOMPLETE) {
      if (skb) {
        const limit = parm(net, n.dev, 'unres_qlen_bytes');
        while (n.arp_queue.length && n.arp_queue_len_bytes + skb.truesize > limit) {
          const old = n.arp_queue.shift()!;
          n.arp_queue_len_bytes -= old.truesize;
          this.stats.unresolved_discards++;
          kfree_skb(old, 'NEIGH_QUEUEFULL', '__neigh_event_send');
        }
        n.arp_queue.push(skb);
        n.arp_queue_len_bytes += skb.truesize;
      }
      return true;
    }
    return false;
  }

  private set_state(n: Neighbour, s: number): void {
    if (n.nud_state !== s) this.net.tracer.fn(null, 'neigh_update', `${fmt(n.key)} dev ${n.dev.name} ${stateName(n.nud_state)} -> ${stateName(s)}`);
    n.nud_state = s;
  }

  /** neigh_timer_handler. */
  timer_handler(n: Neighbour): void {
    const net = this.net;
    const now = net.engine.now;
    const state = n.nud_state;
    if (!(state & NUD_IN_TIMER)) return;
    const dev = n.dev;
    const delay = parm(net, dev, 'delay_first_probe_time') * 1e9;
    let next = now + 1e9;
    if (state & NUD_REACHABLE) {
      const rt = this.reachable_time(dev);
      if (now <= n.confirmed + rt) {
        next = n.confirmed + rt;
      } else if (now <= n.used + delay) {
        this.set_state(n, NUD_DELAY);
        n.updated = now;
        next = now + delay;
      } else {
        this.set_state(n, NUD_STALE);
        n.updated = now;
        return;
      }
    } else if (state & NUD_DELAY) {
      if (now <= n.confirmed + delay) {
        this.set_state(n, NUD_REACHABLE);
        n.updated = now;
        next = n.confirmed + this.reachable_time(dev);
      } else {
        this.set_state(n, NUD_PROBE);
        n.updated = now;
        n.probes = 0;
        next = now + Math.max(parm(net, dev, 'retrans_time_ms') * 1e6, 10e6);
      }
    } else {
      // INCOMPLETE or PROBE
      next = now + Math.max(parm(net, dev, 'retrans_time_ms') * 1e6, 10e6);
    }
    if (n.nud_state & (NUD_INCOMPLETE | NUD_PROBE) && n.probes >= this.max_probes(n)) {
      this.set_state(n, NUD_FAILED);
      n.updated = now;
      this.stats.res_failed++;
      this.invalidate(n);
      return;
    }
    if (n.nud_state & NUD_IN_TIMER) n.timer.mod(Math.max(next, now + 1));
    if (n.nud_state & (NUD_INCOMPLETE | NUD_PROBE)) {
      const skb = n.arp_queue.length ? n.arp_queue[n.arp_queue.length - 1] : null;
      this.solicit?.(n, skb); // neigh_probe: solicit, then count the probe
      n.probes++;
    }
  }

  /** neigh_invalidate: report every queued packet as undeliverable. */
  private invalidate(n: Neighbour): void {
    const q = n.arp_queue.splice(0);
    n.arp_queue_len_bytes = 0;
    for (const skb of q) {
      this.error_report?.(n, skb);
      kfree_skb(skb, 'NEIGH_FAILED', 'neigh_invalidate');
    }
  }

  /** neigh_update: new link-layer address and/or state from ARP or the admin. */
  update(n: Neighbour, lladdr: Uint8Array | null, newState: number, flags: number): void {
    const net = this.net;
    const now = net.now();
    const old = n.nud_state;
    if (!(flags & NEIGH_UPDATE_F_ADMIN) && old & (NUD_NOARP | NUD_PERMANENT)) return;
    if (n.dead) return;
    if (!(newState & NUD_VALID)) {
      n.timer.del();
      if (old & NUD_CONNECTED) n.confirmed = now - 2 * parm(net, n.dev, 'base_reachable_time_ms') * 1e6;
      this.set_state(n, newState);
      if (old & (NUD_INCOMPLETE | NUD_PROBE) && newState & NUD_FAILED) this.invalidate(n);
      n.updated = now;
      return;
    }
    let addrChanged = false;
    if (!lladdr) {
      if (!(old & NUD_VALID)) return; // no address to use
      lladdr = n.ha;
    } else if (old & NUD_VALID && ether_addr_equal(lladdr, n.ha)) {
      lladdr = n.ha;
    } else addrChanged = true;
    if (newState & NUD_CONNECTED) n.confirmed = now;
    if (old & NUD_VALID) {
      if (addrChanged && !(flags & NEIGH_UPDATE_F_OVERRIDE)) {
        if (flags & NEIGH_UPDATE_F_WEAK_OVERRIDE && old & NUD_CONNECTED) {
          lladdr = n.ha;
          addrChanged = false;
          newState = NUD_STALE;
        } else return;
      } else if (!addrChanged && newState === NUD_STALE && !(flags & NEIGH_UPDATE_F_ADMIN)) {
        newState = old;
      }
    }
    if (newState !== old || addrChanged) n.updated = now;
    if (newState !== old) {
      n.timer.del();
      if (newState & NUD_PROBE) n.probes = 0;
      if (newState & NUD_IN_TIMER) n.timer.mod(now + (newState & NUD_REACHABLE ? this.reachable_time(n.dev) : 0) + (newState & NUD_REACHABLE ? 0 : 1));
      this.set_state(n, newState);
    }
    if (addrChanged) {
      n.ha = new Uint8Array(lladdr);
      if (!(newState & NUD_CONNECTED)) n.confirmed = now - 2 * parm(net, n.dev, 'base_reachable_time_ms') * 1e6;
    }
    if (!(old & NUD_VALID) && newState & NUD_VALID) {
      // Resolved: send what waited (neigh_update's arp_queue flush).
      const q = n.arp_queue.splice(0);
      n.arp_queue_len_bytes = 0;
      for (const skb of q) neigh_hh_output(net, n, skb);
    }
  }
}

function stateName(s: number): string {
  if (s === NUD_NONE) return 'NONE';
  return NUD_NAMES.find(([b]) => b === s)?.[1] ?? '0x' + s.toString(16);
}

function fmt(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

/** Fill the Ethernet header from the neighbour and queue to the device. */
function neigh_hh_output(net: Net, n: Neighbour, skb: SkBuff): void {
  net.spend(COST.neigh_output);
  const o = skb.skb_push(14);
  const dev = n.dev;
  const b = skb.buf;
  const proto = skb.protocol || ETH_P_IP;
  // The cached hardware header (hh_data: neighbour's address, ours, the
  // protocol), stored byte by byte: no call per packet.
  if (dev.isLoopback) for (let i = 0; i < 6; i++) b[o + i] = 0;
  else {
    const ha = n.ha;
    b[o] = ha[0];
    b[o + 1] = ha[1];
    b[o + 2] = ha[2];
    b[o + 3] = ha[3];
    b[o + 4] = ha[4];
    b[o + 5] = ha[5];
  }
  const me = dev.dev_addr;
  b[o + 6] = me[0];
  b[o + 7] = me[1];
  b[o + 8] = me[2];
  b[o + 9] = me[3];
  b[o + 10] = me[4];
  b[o + 11] = me[5];
  b[o + 12] = proto >> 8;
  b[o + 13] = proto & 0xff;
  skb.dev = dev;
  dev_queue_xmit(net, skb);
}

/** Trace detail of the output step, formatted only when shown (trace.ts). */
const fmtHopState: TraceFmt = (hop, state) => `${fmt(hop)} ${stateName(state)}`;

/** ip_finish_output2's neighbour step: find or create the entry for the
 * next hop and send through it (neigh_output / neigh_resolve_output). */
export function neigh_output_for(net: Net, dev: NetDevice, nexthop: number, skb: SkBuff): void {
  const tbl = net.arp_tbl;
  if (dev.isLoopback) {
    // Loopback has no neighbours to resolve (NUD_NOARP).
    net.tracer.fn(skb, 'neigh_hh_output', `dev ${dev.name}`);
    neigh_hh_output(net, tbl.create(nexthop, dev), skb);
    return;
  }
  const bcast = isBroadcastFor(dev, nexthop);
  if (bcast) {
    net.spend(COST.neigh_output);
    const o = skb.skb_push(14);
    eth.write(skb.buf, o, BROADCAST_MAC, dev.dev_addr, skb.protocol || ETH_P_IP);
    skb.dev = dev;
    dev_queue_xmit(net, skb);
    return;
  }
  const n = tbl.lookup(nexthop, dev) ?? tbl.create(nexthop, dev);
  if (n.nud_state & NUD_CONNECTED) {
    // The cached-header fast path does not touch n->used: sending while
    // REACHABLE is not "use" (only neigh_event_send records it).
    if (net.tracer.active) net.tracer.fnf(skb, 'neigh_hh_output', fmtHopState, nexthop, n.nud_state);
    neigh_hh_output(net, n, skb);
    return;
  }
  net.tracer.fn(skb, 'neigh_resolve_output', `${fmt(nexthop)} ${stateName(n.nud_state)}`);
  if (!tbl.event_send(n, skb)) neigh_hh_output(net, n, skb);
}

/** Broadcast next hops (limited or a subnet's directed broadcast) need no ARP. */
function isBroadcastFor(dev: NetDevice, addr: number): boolean {
  if (addr === 0xffffffff) return true;
  const ind = dev.ip_ptr;
  if (!ind) return false;
  for (const ifa of ind.ifa_list) {
    if (ifa.prefixlen < 31 && ((addr ^ ifa.address) & ifa.mask) === 0 && (addr | ifa.mask) >>> 0 === 0xffffffff) return true;
    if (ifa.broadcast && ifa.broadcast === addr) return true;
  }
  return false;
}
