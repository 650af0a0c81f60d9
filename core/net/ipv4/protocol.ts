// inet_protos[]: transport handlers registered at boot. TCP registers itself
// here so ip_input does not depend on the TCP module.
import type { Net } from '../net_namespace.js';
import type { SkBuff } from '../core/skbuff.js';

export const tcp_v4_rcv_hook: { fn: ((net: Net, skb: SkBuff) => void) | null } = { fn: null };
