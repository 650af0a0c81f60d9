// net/netfilter/core.c: the five IPv4 hook points. Hooks registered on a
// point run in priority order; any verdict but ACCEPT ends the packet's path.
import type { Net } from '../net_namespace.js';
import type { NetDevice } from '../core/netdevice.js';
import { type SkBuff, kfree_skb } from '../core/skbuff.js';

export const NF_INET_PRE_ROUTING = 0;
export const NF_INET_LOCAL_IN = 1;
export const NF_INET_FORWARD = 2;
export const NF_INET_LOCAL_OUT = 3;
export const NF_INET_POST_ROUTING = 4;
export const NF_HOOK_NAMES = ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'];

export const NF_DROP = 0;
export const NF_ACCEPT = 1;
export const NF_STOLEN = 2;

/** enum nf_ip_hook_priorities (include/uapi/linux/netfilter_ipv4.h). */
export const NF_IP_PRI_CONNTRACK_DEFRAG = -400;
export const NF_IP_PRI_RAW = -300;
export const NF_IP_PRI_CONNTRACK = -200;
export const NF_IP_PRI_MANGLE = -150;
export const NF_IP_PRI_NAT_DST = -100;
export const NF_IP_PRI_FILTER = 0;
export const NF_IP_PRI_NAT_SRC = 100;
export const NF_IP_PRI_CONNTRACK_CONFIRM = 0x7fffffff;

export interface NfHookState {
  hook: number;
  in: NetDevice | null;
  out: NetDevice | null;
}

export interface NfHookOps {
  hook: number;
  priority: number;
  fn(net: Net, skb: SkBuff, state: NfHookState): number;
}

export function nf_register_net_hook(net: Net, ops: NfHookOps): void {
  const l = net.nf_hooks[ops.hook];
  if (l.includes(ops)) return;
  l.push(ops);
  l.sort((a, b) => a.priority - b.priority);
}

export function nf_unregister_net_hook(net: Net, ops: NfHookOps): void {
  const l = net.nf_hooks[ops.hook];
  const i = l.indexOf(ops);
  if (i >= 0) l.splice(i, 1);
}

/** NF_HOOK: run the hook's chain, then okfn if every hook accepted.
 * Returns 0, or -1 (EPERM, as nf_hook_slow's NF_DROP) when a hook dropped
 * the packet; a stolen packet (queued for reassembly) returns 0. */
export function NF_HOOK(net: Net, hook: number, skb: SkBuff, indev: NetDevice | null, outdev: NetDevice | null, okfn: (skb: SkBuff) => void): number {
  const l = net.nf_hooks[hook];
  if (l.length) {
    net.tracer.fn(skb, 'nf_hook_slow', NF_HOOK_NAMES[hook]);
    const state = { hook, in: indev, out: outdev };
    // A copy: a hook may (un)register hooks (a table created mid-walk).
    for (const ops of [...l]) {
      const v = ops.fn(net, skb, state);
      if (v === NF_STOLEN) return 0;
      if (v !== NF_ACCEPT) {
        kfree_skb(skb, 'NETFILTER_DROP', 'nf_hook_slow');
        return -1;
      }
    }
  }
  okfn(skb);
  return 0;
}
