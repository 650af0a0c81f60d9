// struct softnet_data and struct napi_struct (include/linux/netdevice.h): the
// per-CPU poll list, the backlog that netif_rx and RPS fill (input_pkt_queue,
// spliced into process_queue by process_backlog), the list of remote CPUs
// owed an RPS IPI, the flow limit table, and the counters of
// /proc/net/softnet_stat. Also the per-RX-queue RPS map of
// /sys/class/net/IF/queues/rx-N/rps_cpus (struct netdev_rx_queue).
import type { Net } from '../net_namespace.js';
import type { Cpu } from '../../kernel/cpu.js';
import type { SkBuff } from './skbuff.js';
import type { NetDevice } from './netdevice.js';

export class NapiStruct {
  /** NAPI_STATE_SCHED: on a poll list or being polled. */
  scheduled = false;
  /** CPU whose poll list holds it. */
  cpu = -1;
  /** Times napi_poll ran (for the UI). */
  polls = 0;
  /** GRO's held flows (napi->gro_hash; gro.ts owns their type). */
  gro_held: unknown[] | null = null;
  constructor(
    readonly name: string,
    readonly dev: NetDevice | null,
    /** The driver's poll: returns work done, calls napi_complete_done when done early. */
    readonly poll: (napi: NapiStruct, budget: number) => number,
    public weight = 64,
  ) {}
}

/** FLOW_LIMIT_HISTORY: packets remembered per CPU by the flow limit. */
export const FLOW_LIMIT_HISTORY = 1 << 7;

/** struct sd_flow_limit: which flows the last 128 backlogged packets belonged to. */
export class SdFlowLimit {
  history_head = 0;
  readonly history = new Uint16Array(FLOW_LIMIT_HISTORY);
  readonly buckets: Uint8Array;
  count = 0;
  constructor(readonly num_buckets: number) {
    this.buckets = new Uint8Array(num_buckets);
  }
}

export class SoftnetData {
  readonly poll_list: NapiStruct[] = [];
  /** input_pkt_queue: packets queued by netif_rx / RPS, bounded by netdev_max_backlog. */
  readonly input_pkt_queue: SkBuff[] = [];
  /** process_queue: what process_backlog took over from input_pkt_queue. */
  readonly process_queue: SkBuff[] = [];
  readonly backlog: NapiStruct;
  /** Devices whose qdisc waits for NET_TX (output_queue). */
  readonly output_queue: NetDevice[] = [];
  /** Remote CPUs we queued packets to and owe an IPI (rps_ipi_list). */
  rps_ipi_list: SoftnetData[] = [];
  in_net_rx_action = false;
  /** Packets dequeued/enqueued on this backlog (input_queue_head/tail). */
  input_queue_head = 0;
  input_queue_tail = 0;
  /** Set when net.core.flow_limit_cpu_bitmap names this CPU. */
  flow_limit: SdFlowLimit | null = null;
  // /proc/net/softnet_stat columns
  processed = 0;
  dropped = 0;
  time_squeeze = 0;
  cpu_collision = 0;
  received_rps = 0;
  /** Drops by the flow limit table, while this CPU has one. */
  get flow_limit_count(): number {
    return this.flow_limit?.count ?? 0;
  }

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

/** struct netdev_rx_queue: the RPS settings of one receive queue. */
export interface NetdevRxQueue {
  /** rps_map: CPUs, in CPU order, that packets of this queue are spread on. */
  rps_map: number[];
  /** rps_flow_cnt (RFS table size); kept for sysfs, RFS itself is not modelled. */
  rps_flow_cnt: number;
}


/** dev->_rx[index], created on first use with net.core.rps_default_mask. */
export function netdev_rx_queue(net: Net, dev: NetDevice, index: number): NetdevRxQueue {
  let qs = dev._rx;
  if (!qs) dev._rx = qs = [];
  while (qs.length <= index) qs.push({ rps_map: cpuMaskToList(parseCpuMask(net.sysctl.get('net.core.rps_default_mask') ?? '0'), net.cpus.length), rps_flow_cnt: 0 });
  return qs[index];
}

/** Whether any receive queue of any device has an RPS map (static key rps_needed). */
export function rps_needed(dev: NetDevice): boolean {
  const qs = dev._rx;
  if (qs === null) return false;
  for (let i = 0; i < qs.length; i++) if (qs[i].rps_map.length > 0) return true;
  return false;
}

/** A hex CPU mask as sysfs and procfs print and parse it ("f", "00000003", "1,00000000"). */
export function parseCpuMask(s: string): number {
  const hex = s.trim().replace(/,/g, '');
  if (!/^[0-9a-fA-F]*$/.test(hex)) return NaN;
  return hex ? Number(BigInt('0x' + hex) & 0x7fffffffn) : 0;
}

export function cpuMaskToList(mask: number, ncpus: number): number[] {
  const out: number[] = [];
  for (let c = 0; c < ncpus; c++) if (mask & (1 << c)) out.push(c);
  return out;
}
