// net/sched/sch_generic.c and sch_fifo: the default qdisc (pfifo_fast: three
// priority bands, txqueuelen packets in all) and qdisc_run, which moves
// packets to the driver until it pushes back or the quota is used.
import type { Net } from '../net_namespace.js';
import type { TraceFmt } from '../core/trace.js';
import type { NetDevice } from '../core/netdevice.js';
import { NETDEV_TX_BUSY } from '../core/netdevice.js';
import { type SkBuff, kfree_skb } from '../core/skbuff.js';
import { dev_hard_start_xmit, netif_schedule, NET_XMIT_DROP, NET_XMIT_SUCCESS } from '../core/dev.js';
import { COST } from '../../kernel/costs.js';

/** TC_PRIO to band, as pfifo_fast's prio2band. */
const PRIO2BAND = [1, 2, 2, 2, 1, 2, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1];

export class Qdisc {
  readonly kind = 'pfifo_fast';
  readonly bands: SkBuff[][] = [[], [], []];
  /** A packet the driver refused (NETDEV_TX_BUSY), sent first next time. */
  gso_skb: SkBuff | null = null;
  qlen = 0;
  scheduled = false;
  running = false;
  readonly qstats = { backlog: 0, drops: 0, requeues: 0, overlimits: 0 };
  readonly bstats = { bytes: 0, packets: 0 };
  constructor(readonly dev: NetDevice) {}

  get limit(): number {
    return this.dev.tx_queue_len;
  }

  enqueue(skb: SkBuff): boolean {
    if (this.qlen >= Math.max(1, this.limit)) return false;
    this.bands[PRIO2BAND[(skb.cb.priority ?? 0) & 15]].push(skb);
    this.qlen++;
    this.qstats.backlog += skb.len;
    return true;
  }

  dequeue(): SkBuff | null {
    if (this.gso_skb) {
      const s = this.gso_skb;
      this.gso_skb = null;
      return s;
    }
    for (const b of this.bands) {
      if (b.length) {
        const skb = b.shift()!;
        this.qlen--;
        this.qstats.backlog -= skb.len;
        return skb;
      }
    }
    return null;
  }

  /** Drop everything queued (device down, qdisc replaced). */
  reset(): void {
    let skb: SkBuff | null;
    while ((skb = this.dequeue())) kfree_skb(skb, 'QUEUE_PURGE', 'qdisc_reset');
  }
}

const fmtQlen: TraceFmt = (kind, qlen) => `${kind} qlen ${qlen}`;

/** dev_queue_xmit's qdisc branch (__dev_xmit_skb): enqueue, then run the
 * qdisc unless it is already running. */
export function qdisc_enqueue_xmit(net: Net, q: Qdisc, skb: SkBuff): number {
  net.spend(COST.qdisc);
  if (!q.enqueue(skb)) {
    q.qstats.drops++;
    q.dev.stats.tx_dropped++;
    kfree_skb(skb, 'QDISC_DROP', '__dev_xmit_skb');
    return NET_XMIT_DROP;
  }
  if (net.tracer.active) net.tracer.fnf(skb, 'qdisc_enqueue', fmtQlen, q.kind, q.qlen);
  if (!q.running) qdisc_run(net, q);
  return NET_XMIT_SUCCESS;
}

/** __qdisc_run: send up to dev_tx_weight packets, then yield to NET_TX. */
export function qdisc_run(net: Net, q: Qdisc): void {
  if (q.running) return;
  q.running = true;
  try {
    let quota = net.sysctlInt('net.core.dev_weight') * net.sysctlInt('net.core.dev_weight_tx_bias');
    const dev = q.dev;
    while (q.qlen > 0 || q.gso_skb) {
      if (dev.ops.tx_queue_stopped?.(dev, 0)) return; // woken by TX completion
      const skb = q.dequeue()!;
      if (net.tracer.active) net.tracer.fn(skb, 'sch_direct_xmit', q.kind);
      const rc = dev_hard_start_xmit(net, skb, dev);
      if (rc === NETDEV_TX_BUSY) {
        q.gso_skb = skb;
        q.qstats.requeues++;
        return;
      }
      q.bstats.packets++;
      if (--quota <= 0) {
        netif_schedule(net, dev);
        return;
      }
    }
  } finally {
    q.running = false;
  }
}
