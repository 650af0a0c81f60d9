// net/bridge/br_stp_if.c and the parts of br_stp.c a bridge without STP
// (stp_state 0, the default) still runs: enabling a port makes it
// designated and, with BR_NO_STP, forwarding at once (br_make_forwarding);
// the bridge has carrier while at least one port forwards; the bridge ID
// (and the bridge's MAC, unless set by the user) is the lowest port MAC.
import type { Net } from '../net_namespace.js';
import { formatMac, type Mac } from '../wire/ethernet.js';
import { netif_carrier_on, netif_carrier_off } from '../core/dev.js';
import { NSEC_PER_MSEC } from '../../sim/engine.js';
import { printk } from '../../kernel/printk.js';

const KERN_INFO = 6;
import { br_fdb_change_mac_address, br_fdb_delete_by_port } from './br_fdb.js';
import {
  type NetBridge,
  type NetBridgePort,
  BR_NO_STP,
  BR_PORT_STATES,
  BR_STATE_BLOCKING,
  BR_STATE_DISABLED,
  BR_STATE_FORWARDING,
  BR_STATE_LEARNING,
} from './br_private.js';

function net_of(br: NetBridge): Net {
  return br.dev.net;
}

/** br_set_state, which logs every call (br_info). */
export function br_set_state(p: NetBridgePort, state: number): void {
  p.state = state;
  const msg = `${p.br.dev.name}: port ${p.port_no}(${p.dev.name}) entered ${BR_PORT_STATES[state]} state`;
  printk(net_of(p.br), KERN_INFO, msg);
  net_of(p.br).tracer.fn(null, 'br_set_state', msg);
}

/** br_stp_enable_bridge (ndo_open): start the FDB gc (first run after
 * HZ/10) and enable every port that is running with carrier. */
export function br_stp_enable_bridge(br: NetBridge): void {
  br.gc_timer.mod(net_of(br).engine.now + 100 * NSEC_PER_MSEC);
  for (const p of br.port_list) if (p.dev.up && p.dev.carrier) br_stp_enable_port(p);
}

/** br_stp_disable_bridge (ndo_stop). */
export function br_stp_disable_bridge(br: NetBridge): void {
  for (const p of br.port_list) if (p.state !== BR_STATE_DISABLED) br_stp_disable_port(p);
  br.topology_change = false;
  br.gc_timer.del();
}

/** br_stp_enable_port: br_init_port (designated, BLOCKING), then the
 * state selection moves it on. */
export function br_stp_enable_port(p: NetBridgePort): void {
  br_set_state(p, BR_STATE_BLOCKING);
  br_port_state_selection(p.br);
}

/** br_stp_disable_port: DISABLED, and its learned entries are flushed. */
export function br_stp_disable_port(p: NetBridgePort): void {
  br_set_state(p, BR_STATE_DISABLED);
  br_fdb_delete_by_port(p.br, p, false);
  br_port_state_selection(p.br);
}

/** br_port_state_selection: without STP every enabled port is designated
 * and goes forwarding (br_make_forwarding); carrier follows live ports. */
export function br_port_state_selection(br: NetBridge): void {
  let liveports = 0;
  for (const p of br.port_list) {
    if (p.state === BR_STATE_DISABLED) continue;
    if (p.state === BR_STATE_BLOCKING && br.stp_enabled === BR_NO_STP) br_set_state(p, BR_STATE_FORWARDING);
    if (p.state === BR_STATE_FORWARDING) liveports++;
  }
  if (liveports === 0) netif_carrier_off(net_of(br), br.dev);
  else netif_carrier_on(net_of(br), br.dev);
}

/** br_stp_recalculate_bridge_id: the lowest port address, unless the user
 * set one. Returns whether the bridge address changed. */
export function br_stp_recalculate_bridge_id(br: NetBridge): boolean {
  if (br.addr_set) return false;
  let addr: Mac = new Uint8Array(6);
  let first = true;
  for (const p of br.port_list) {
    if (first || memcmp(p.dev.dev_addr, addr) < 0) addr = p.dev.dev_addr;
    first = false;
  }
  if (memcmp(br.bridge_id_addr, addr) === 0) return false;
  br_stp_change_bridge_id(br, addr);
  return true;
}

/** br_stp_change_bridge_id: new bridge ID and device address. */
export function br_stp_change_bridge_id(br: NetBridge, addr: Mac): void {
  br_fdb_change_mac_address(br, addr);
  br.bridge_id_addr = new Uint8Array(addr);
  br.dev.dev_addr = new Uint8Array(addr);
  net_of(br).tracer.fn(null, 'br_stp_change_bridge_id', `${br.dev.name} ${formatMac(addr)}`);
  br_port_state_selection(br);
}

/** br_set_ageing_time (changelink ageing_time): the gc work runs at once,
 * whether or not the bridge is up, and reschedules itself from there. */
export function br_set_ageing_time(br: NetBridge, t: number): void {
  br.ageing_time = t;
  br.gc_timer.mod(net_of(br).engine.now);
}

/** A port in LEARNING state learns but does not forward. */
export function nbp_state_should_learn(p: NetBridgePort): boolean {
  return p.state === BR_STATE_LEARNING || p.state === BR_STATE_FORWARDING;
}

function memcmp(a: Mac, b: Mac): number {
  for (let i = 0; i < 6; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}
