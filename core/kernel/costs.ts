// CPU time (ns) the model charges for each step. They are round figures of
// the order a 2020s server core takes; what matters for teaching is their
// relative size (an IRQ costs more than a route lookup), and that load turns
// into busy CPUs, budgets that run out and queues that fill.
export const COST = {
  hardirq: 800,
  softirq_entry: 150,
  napi_poll: 100,
  driver_rx: 120,
  driver_tx_clean: 60,
  netif_receive_skb: 80,
  ip_rcv: 120,
  fib_lookup: 90,
  ip_forward: 80,
  ip_output: 100,
  neigh_output: 80,
  qdisc: 80,
  driver_xmit: 150,
  arp: 200,
  icmp: 200,
  udp_rcv: 150,
  sock_queue: 100,
  syscall: 2000,
  copy_per_byte: 0.05,
  ksoftirqd_wakeup: 2000,
  /** A bridge hop: FDB lookup and learning, then the forward decision. */
  bridge: 100,
  /** veth_xmit: hand the skb to the peer's backlog. */
  veth_xmit: 60,
} as const;
