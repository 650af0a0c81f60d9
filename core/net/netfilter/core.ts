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
  l.push(ops);
  l.sort((a, b) => a.priority - b.priority);
}

export function nf_unregister_net_hook(net: Net, ops: NfHookOps): void {
  const l = net.nf_hooks[ops.hook];
  const i = l.indexOf(ops);
  if (i >= 0) l.splice(i, 1);
}

/** NF_HOOK: run the hook's chain, then okfn if every hook accepted. */
export function NF_HOOK(net: Net, hook: number, skb: SkBuff, indev: NetDevice | null, outdev: NetDevice | null, okfn: (skb: SkBuff) => void): void {
  const l = net.nf_hooks[hook];
  if (l.length) {
    net.tracer.fn(skb, 'nf_hook_slow', NF_HOOK_NAMES[hook]);
    const state = { hook, in: indev, out: outdev };
    for (const ops of l) {
      const v = ops.fn(net, skb, state);
      if (v === NF_STOLEN) return;
      if (v !== NF_ACCEPT) {
        kfree_skb(skb, 'NETFILTER_DROP', 'nf_hook_slow');
        return;
      }
    }
  }
  okfn(skb);
}
