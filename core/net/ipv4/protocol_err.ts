// Error handlers (inet_protos[proto]->err_handler) for protocols that
// register late (TCP), keyed by IP protocol number.
import type { Net } from '../net_namespace.js';
import type { SkBuff } from '../core/skbuff.js';

export const icmp_err_hooks: Record<number, (net: Net, skb: SkBuff, inner: number, type: number, code: number, info: number) => void> = {};
