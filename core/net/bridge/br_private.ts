// net/bridge/br_private.h: struct net_bridge, net_bridge_port and
// net_bridge_fdb_entry, the port states and flags. No VLAN filtering, no
// multicast snooping database, no STP: a bridge is created with
// stp_state 0 (BR_NO_STP) as in Linux, and that is the only mode modelled.
import type { NetDevice } from '../core/netdevice.js';
import type { Timer } from '../../sim/timer.js';
import type { Mac } from '../wire/ethernet.js';
import { NSEC_PER_SEC } from '../../sim/engine.js';
import type { LoopGuard } from './br_loop_guard.js';

// Port states (include/uapi/linux/if_bridge.h), as `bridge link` names them.
export const BR_STATE_DISABLED = 0;
export const BR_STATE_LISTENING = 1;
export const BR_STATE_LEARNING = 2;
export const BR_STATE_FORWARDING = 3;
export const BR_STATE_BLOCKING = 4;
export const BR_PORT_STATES = ['disabled', 'listening', 'learning', 'forwarding', 'blocking'];

export const BR_NO_STP = 0;

// Port flags (include/linux/if_bridge.h).
export const BR_HAIRPIN_MODE = 1 << 0;
export const BR_LEARNING = 1 << 5;
export const BR_FLOOD = 1 << 6;
export const BR_PROXYARP = 1 << 8;
export const BR_MCAST_FLOOD = 1 << 14;
export const BR_BCAST_FLOOD = 1 << 19;

// FDB entry flags (enum in br_private.h, used as bit numbers there).
export const BR_FDB_LOCAL = 1 << 0;
export const BR_FDB_STATIC = 1 << 1;
export const BR_FDB_STICKY = 1 << 2;
export const BR_FDB_ADDED_BY_USER = 1 << 3;
export const BR_FDB_ADDED_BY_EXT_LEARN = 1 << 4;
export const BR_FDB_DYNAMIC_LEARNED = 1 << 9;

/** BR_DEFAULT_AGEING_TIME: 300 s. */
export const BR_DEFAULT_AGEING_TIME = 300 * NSEC_PER_SEC;
/** Default forward_delay: 15 s (the FDB hold time while the topology changes). */
export const BR_DEFAULT_FORWARD_DELAY = 15 * NSEC_PER_SEC;

export enum BrPktType {
  UNICAST,
  MULTICAST,
  BROADCAST,
}

export class NetBridgeFdbEntry {
  constructor(
    readonly addr: Mac,
    /** The port the address was learned on; null: the bridge device itself. */
    public dst: NetBridgePort | null,
    public flags: number,
    /** Times (ns): last learned/refreshed, last used to forward. */
    public updated: number,
    public used: number,
  ) {}
}

export class NetBridgePort {
  state = BR_STATE_DISABLED;
  flags = BR_LEARNING | BR_FLOOD | BR_MCAST_FLOOD | BR_BCAST_FLOOD;
  /** 0x8000 >> BR_PORT_BITS */
  priority = 32;
  constructor(
    readonly br: NetBridge,
    readonly dev: NetDevice,
    readonly port_no: number,
    public path_cost: number,
  ) {}
}

export class NetBridge {
  /** Newest port first: br_add_if uses list_add_rcu, and floods follow it. */
  readonly port_list: NetBridgePort[] = [];
  /** The FDB, keyed by MAC; insertion order = creation order (fdb_list
   * is the reverse: hlist_add_head). */
  readonly fdb = new Map<number, NetBridgeFdbEntry>();
  stp_enabled = BR_NO_STP;
  ageing_time = BR_DEFAULT_AGEING_TIME;
  forward_delay = BR_DEFAULT_FORWARD_DELAY;
  topology_change = false;
  /** bridge_id.addr: all zero until a port brings an address. */
  bridge_id_addr: Mac = new Uint8Array(6);
  /** addr_assign_type == NET_ADDR_SET: the user chose the address. */
  addr_set = false;
  /** mcast_snooping (BROPT_MULTICAST_ENABLED): while up, the bridge joins
   * the all-snoopers groups. Snooping itself (the MDB) is not modelled. */
  multicast_enabled = true;
  /** The MTU was set by the user (BROPT_MTU_SET_BY_USER). */
  mtu_set_by_user = false;
  /** gc_work: br_fdb_cleanup. */
  gc_timer!: Timer;
  /** Rate limit state of br_warn (net_ratelimit: 10 per 5 s). */
  warn = { tokens: 10, last: 0, missed: 0 };
  loop_guard!: LoopGuard;
  constructor(readonly dev: NetDevice) {}
}

/** br_port_get_rcu: the bridge port behind a device, if it is one. */
export function br_port_get(dev: NetDevice): NetBridgePort | null {
  return dev.rx_handler_data instanceof NetBridgePort ? dev.rx_handler_data : null;
}

export function netif_is_bridge_master(dev: NetDevice): boolean {
  return dev.kind === 'bridge';
}

/** The FDB key of a MAC address. */
export function mac_key(a: Mac): number {
  return a[0] * 2 ** 40 + a[1] * 2 ** 32 + a[2] * 2 ** 24 + a[3] * 2 ** 16 + a[4] * 2 ** 8 + a[5];
}

/** is_valid_ether_addr: not multicast and not all zero. */
export function is_valid_ether_addr(a: Mac): boolean {
  return (a[0] & 1) === 0 && (a[0] | a[1] | a[2] | a[3] | a[4] | a[5]) !== 0;
}

/** is_link_local_ether_addr: 01:80:c2:00:00:0X, the 802.1D reserved group. */
export function is_link_local_ether_addr(a: Mac): boolean {
  return a[0] === 0x01 && a[1] === 0x80 && a[2] === 0xc2 && a[3] === 0 && a[4] === 0 && (a[5] & 0xf0) === 0;
}
