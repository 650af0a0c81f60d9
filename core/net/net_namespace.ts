// struct net: one network namespace, i.e. everything networking that one host
// owns. Subsystems are modules of plain functions over this object, named as
// in Linux, so `ip_rcv(net, skb)` reads like net/ipv4/ip_input.c.
import { Engine } from '../sim/engine.js';
import { Prng } from '../sim/prng.js';
import { Cpu } from '../kernel/cpu.js';
import type { IrqDesc } from '../kernel/irq.js';
import type { NetDevice } from './core/netdevice.js';
import type { SkBuff, SkbOwner } from './core/skbuff.js';
import type { DropReason } from './core/dropreason.js';
import { NetMib } from './mib.js';
import { Sysctl } from '../kernel/sysctl.js';
import { SoftnetData } from './core/softnet.js';
import { FibTables } from './ipv4/fib.js';
import { NeighTable } from './core/neighbour.js';
import { Tracer } from './core/trace.js';
import type { PacketTap, NetdevEvent } from './core/dev.js';
import type { NfHookOps } from './netfilter/core.js';
import type { SockTables } from './ipv4/sock.js';
import { newSockTables } from './ipv4/sock.js';

/** Where a host's NICs put frames on the wire (the fabric implements it). */
export interface Wire {
  /** A frame left `dev` completely at time `t` (ns). The bytes are a copy the
   * fabric may keep. */
  transmit(dev: NetDevice, bytes: Uint8Array, t: number): void;
}

export class Net implements SkbOwner {
  // skb accounting (SkbOwner)
  outstanding = 0;
  nextId = 1;
  onFree?: (skb: SkBuff, reason: DropReason | null, where: string) => void;

  readonly cpus: Cpu[];
  readonly softnet: SoftnetData[];
  /** The CPU executing right now, or null in event/process glue. */
  curCpu: Cpu | null = null;
  readonly devices = new Map<number, NetDevice>();
  readonly mib = new NetMib();
  readonly sysctl = new Sysctl();
  readonly fib = new FibTables();
  readonly arp_tbl: NeighTable;
  readonly tracer: Tracer;
  readonly socks: SockTables = newSockTables();
  wire: Wire | null = null;
  readonly irqs: IrqDesc[] = [];
  /** IPv4 reassembly queues (ipq), keyed by saddr/daddr/id/protocol. */
  readonly ipv4_frags = new Map<string, any>();
  /** Netfilter hooks per NF_INET_* point. */
  readonly nf_hooks: NfHookOps[][] = [[], [], [], [], []];
  /** AF_PACKET taps on every packet (tcpdump), ptype_all. */
  readonly ptype_all: PacketTap[] = [];
  /** netdev_chain (register_netdevice_notifier): who hears NETDEV_* events. */
  readonly netdev_chain: ((event: NetdevEvent, dev: NetDevice) => void)[] = [];
  private nextIfindex = 1;
  /** IRQ numbers handed out to device queues, /proc/interrupts order. */
  nextIrq = 24;
  /** IPv4 ID generator state (ip_idents) and ICMP global rate credit. */
  ipv4 = {
    icmp_global_credit: 0,
    icmp_global_stamp: -Infinity,
    peers: new Map<number, { rate_tokens: number; rate_last: number }>(),
    ip_id_next: 1,
  };

  constructor(
    readonly hostName: string,
    readonly engine: Engine,
    readonly prng: Prng,
    ncpus: number,
  ) {
    this.cpus = Array.from({ length: ncpus }, (_, i) => new Cpu(i));
    this.softnet = this.cpus.map((c) => new SoftnetData(this, c));
    this.arp_tbl = new NeighTable(this);
    this.tracer = new Tracer(this);
  }

  /** Current virtual time: the executing CPU's clock, else the engine's. */
  now(): number {
    const c = this.curCpu;
    return c ? c.clock : this.engine.now;
  }

  /** Charge CPU time to whatever is executing. */
  spend(ns: number): void {
    const c = this.curCpu;
    if (c) c.spend(ns);
  }

  allocIfindex(): number {
    return this.nextIfindex++;
  }

  dev_get_by_name(name: string): NetDevice | undefined {
    for (const d of this.devices.values()) if (d.name === name) return d;
    return undefined;
  }

  dev_get_by_index(ifindex: number): NetDevice | undefined {
    return this.devices.get(ifindex);
  }

  /** The sysctl value as an integer (hot paths cache through onChange). */
  sysctlInt(name: string): number {
    const n = this.sysctl.cachedInt(name);
    return n === undefined ? 0 : n;
  }

  get ip_forward(): boolean {
    return this.sysctlInt('net.ipv4.ip_forward') !== 0;
  }
}
