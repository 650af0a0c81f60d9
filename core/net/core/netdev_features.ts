// Netdev features (include/linux/netdev_features.h) by their ethtool names
// (netdev_features_strings in net/ethtool/common.c), in bit order as Linux
// 6.18 reports them, and netdev_fix_features' rules between them.

/** Feature names in NETIF_F_*_BIT order (6.18 adds tcp-accecn segmentation). */
export const NETDEV_FEATURE_NAMES: readonly string[] = [
  'tx-scatter-gather', 'tx-checksum-ipv4', 'tx-checksum-ip-generic', 'tx-checksum-ipv6', 'highdma',
  'tx-scatter-gather-fraglist', 'tx-vlan-hw-insert', 'rx-vlan-hw-parse', 'rx-vlan-filter', 'vlan-challenged',
  'tx-generic-segmentation', 'rx-gro', 'rx-lro',
  'tx-tcp-segmentation', 'tx-gso-robust', 'tx-tcp-ecn-segmentation', 'tx-tcp-mangleid-segmentation',
  'tx-tcp6-segmentation', 'tx-fcoe-segmentation', 'tx-gre-segmentation', 'tx-gre-csum-segmentation',
  'tx-ipxip4-segmentation', 'tx-ipxip6-segmentation', 'tx-udp_tnl-segmentation', 'tx-udp_tnl-csum-segmentation',
  'tx-gso-partial', 'tx-tunnel-remcsum-segmentation', 'tx-sctp-segmentation', 'tx-esp-segmentation',
  'tx-udp-segmentation', 'tx-gso-list', 'tx-tcp-accecn-segmentation',
  'tx-checksum-fcoe-crc', 'tx-checksum-sctp', 'rx-ntuple-filter', 'rx-hashing', 'rx-checksum', 'tx-nocache-copy',
  'loopback', 'rx-fcs', 'rx-all', 'tx-vlan-stag-hw-insert', 'rx-vlan-stag-hw-parse', 'rx-vlan-stag-filter',
  'l2-fwd-offload', 'hw-tc-offload', 'esp-hw-offload', 'esp-tx-csum-hw-offload', 'rx-udp_tunnel-port-offload',
  'tls-hw-tx-offload', 'tls-hw-rx-offload', 'rx-gro-hw', 'tls-hw-record', 'rx-gro-list', 'macsec-hw-offload',
  'rx-udp-gro-forwarding', 'hsr-tag-ins-offload', 'hsr-tag-rm-offload', 'hsr-fwd-offload', 'hsr-dup-offload',
];

/** NETIF_F_NEVER_CHANGE: features no request can turn on or off. */
export const NETIF_F_NEVER_CHANGE = new Set(['vlan-challenged', 'tx-scatter-gather-fraglist', 'highdma']);

/** NETIF_F_SOFT_FEATURES: done in software, so every device offers them. */
export const NETIF_F_SOFT_FEATURES = ['tx-generic-segmentation', 'rx-gro'];

const TSO4 = ['tx-tcp-segmentation', 'tx-tcp-ecn-segmentation', 'tx-tcp-mangleid-segmentation', 'tx-tcp-accecn-segmentation'];
const TSO6 = ['tx-tcp6-segmentation'];

/** The three sets of a net_device, as `ethtool -k` reads them. */
export interface NetdevFeatureSets {
  /** hw_features: what the user may toggle. */
  hw_features: Set<string>;
  /** wanted_features: what the user asked for. */
  wanted_features: Set<string>;
  /** features: what is on. */
  features: Set<string>;
}

/** netdev_fix_features: drop what the other settings make impossible. */
export function netdev_fix_features(f: Set<string>): Set<string> {
  const out = new Set(f);
  const csum4 = out.has('tx-checksum-ipv4') || out.has('tx-checksum-ip-generic');
  const csum6 = out.has('tx-checksum-ipv6') || out.has('tx-checksum-ip-generic');
  // "Dropping TSO features since no SG feature." / "... no CSUM feature."
  if (!out.has('tx-scatter-gather')) for (const t of [...TSO4, ...TSO6]) out.delete(t);
  if (!csum4) for (const t of TSO4) out.delete(t);
  if (!csum6) for (const t of TSO6) out.delete(t);
  // GRO_HW needs RXCSUM and GRO.
  if (!out.has('rx-checksum') || !out.has('rx-gro')) out.delete('rx-gro-hw');
  return out;
}

/** __netdev_update_features: features = fix(wanted within hw_features,
 * plus whatever the user cannot toggle). */
export function netdev_update_features(dev: NetdevFeatureSets): void {
  const next = new Set<string>();
  for (const n of dev.features) if (!dev.hw_features.has(n)) next.add(n);
  for (const n of dev.wanted_features) if (dev.hw_features.has(n)) next.add(n);
  dev.features = netdev_fix_features(next);
}
