// struct softnet_data and struct napi_struct (include/linux/netdevice.h): the
// per-CPU poll list, the backlog queue that netif_rx fills, and the counters
// of /proc/net/softnet_stat.
import type { Net } from '../net_namespace.js';
import type { Cpu } from '../../kernel/cpu.js';
import type { SkBuff } from './skbuff.js';
import type { NetDevice } from './netdevice.js';

export class NapiStruct {
  /** NAPI_STATE_SCHED: on a poll list or being polled. */
  scheduled = false;
  /** CPU whose poll list holds it. */
  cpu = -1;
  /** Times napi_poll ran and packets it handled (for the UI). */
  polls = 0;
  constructor(
    readonly name: string,
    readonly dev: NetDevice | null,
    /** The driver's poll: returns work done, calls napi_complete_done when done early. */
    readonly poll: (napi: NapiStruct, budget: number) => number,
    public weight = 64,
  ) {}
}

export class SoftnetData {
  readonly poll_list: NapiStruct[] = [];
  /** input_pkt_queue: packets queued by netif_rx / RPS, bounded by netdev_max_backlog. */
  readonly input_pkt_queue: SkBuff[] = [];
  readonly backlog: NapiStruct;
  /** Devices whose qdisc waits for NET_TX (output_queue). */
  readonly output_queue: NetDevice[] = [];
  // /proc/net/softnet_stat columns
  processed = 0;
  dropped = 0;
  time_squeeze = 0;
  cpu_collision = 0;
  received_rps = 0;
  flow_limit_count = 0;

  constructor(
    readonly net: Net,
    readonly cpu: Cpu,
  ) {
    this.backlog = new NapiStruct('backlog', null, (n, quota) => process_backlog_hook(this, n, quota), 64);
  }
}

// Set by dev.ts (avoids an import cycle at module load).
export let process_backlog_hook: (sd: SoftnetData, napi: NapiStruct, quota: number) => number = () => 0;
export function set_process_backlog(fn: typeof process_backlog_hook): void {
  process_backlog_hook = fn;
}
