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
export const NETIF_F_NEVER_CHANGE = new Set(['vlan-challenged']);

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

/** A device's defaults as `ethtool -k` shows them on Linux 6.18: what is on,
 * and what is [fixed] (everything else is in hw_features). */
export interface FeatureDefaults {
  on: readonly string[];
  fixed: readonly string[];
}

/** Set up dev->features/hw_features/wanted_features from defaults. */
export function netdev_init_features(dev: NetdevFeatureSets, d: FeatureDefaults): void {
  dev.features = new Set(d.on);
  dev.wanted_features = new Set(d.on);
  dev.hw_features = new Set(NETDEV_FEATURE_NAMES.filter((n) => !d.fixed.includes(n) && !NETIF_F_NEVER_CHANGE.has(n)));
}

const OFFLOADS_FIXED_OFF = [
  'tx-checksum-fcoe-crc', 'rx-lro', 'rx-ntuple-filter', 'rx-hashing', 'rx-vlan-filter', 'vlan-challenged', 'tx-gso-robust',
  'tx-fcoe-segmentation', 'tx-gso-partial', 'tx-tunnel-remcsum-segmentation', 'tx-esp-segmentation', 'loopback', 'rx-fcs',
  'rx-all', 'rx-vlan-stag-filter', 'l2-fwd-offload', 'hw-tc-offload', 'esp-hw-offload', 'esp-tx-csum-hw-offload',
  'rx-udp_tunnel-port-offload', 'tls-hw-tx-offload', 'tls-hw-rx-offload', 'rx-gro-hw', 'tls-hw-record', 'macsec-hw-offload',
  'hsr-tag-ins-offload', 'hsr-tag-rm-offload', 'hsr-fwd-offload', 'hsr-dup-offload',
];

/** lo (drivers/net/loopback.c), measured with ethtool -k on 6.18. */
export const LOOPBACK_FEATURES: FeatureDefaults = {
  on: [
    'rx-checksum', 'tx-checksum-ip-generic', 'tx-checksum-sctp', 'tx-scatter-gather', 'tx-scatter-gather-fraglist',
    'tx-tcp-segmentation', 'tx-tcp-ecn-segmentation', 'tx-tcp-mangleid-segmentation', 'tx-tcp6-segmentation',
    'tx-tcp-accecn-segmentation', 'tx-generic-segmentation', 'rx-gro', 'highdma', 'vlan-challenged', 'tx-sctp-segmentation',
    'tx-udp-segmentation', 'tx-gso-list', 'loopback',
  ],
  fixed: [
    ...OFFLOADS_FIXED_OFF.filter((n) => n !== 'loopback' && n !== 'vlan-challenged'), 'rx-checksum', 'tx-checksum-ipv4',
    'tx-checksum-ip-generic', 'tx-checksum-ipv6', 'tx-checksum-sctp', 'tx-scatter-gather', 'tx-scatter-gather-fraglist',
    'rx-vlan-hw-parse', 'tx-vlan-hw-insert', 'highdma', 'vlan-challenged', 'tx-gre-segmentation', 'tx-gre-csum-segmentation',
    'tx-ipxip4-segmentation', 'tx-ipxip6-segmentation', 'tx-udp_tnl-segmentation', 'tx-udp_tnl-csum-segmentation',
    'tx-nocache-copy', 'loopback', 'tx-vlan-stag-hw-insert', 'rx-vlan-stag-hw-parse',
  ],
};

/** veth (drivers/net/veth.c), measured with ethtool -k on 6.18. */
export const VETH_FEATURES: FeatureDefaults = {
  on: [
    'rx-checksum', 'tx-checksum-ip-generic', 'tx-checksum-sctp', 'tx-scatter-gather', 'tx-scatter-gather-fraglist',
    'tx-tcp-segmentation', 'tx-tcp-ecn-segmentation', 'tx-tcp-mangleid-segmentation', 'tx-tcp6-segmentation',
    'tx-tcp-accecn-segmentation', 'tx-generic-segmentation', 'rx-vlan-hw-parse', 'tx-vlan-hw-insert', 'highdma',
    'tx-gre-segmentation', 'tx-gre-csum-segmentation', 'tx-ipxip4-segmentation', 'tx-ipxip6-segmentation',
    'tx-udp_tnl-segmentation', 'tx-udp_tnl-csum-segmentation', 'tx-sctp-segmentation', 'tx-udp-segmentation', 'tx-gso-list',
    'tx-vlan-stag-hw-insert', 'rx-vlan-stag-hw-parse',
  ],
  fixed: ['tx-checksum-ipv4', 'tx-checksum-ipv6', ...OFFLOADS_FIXED_OFF],
};

/** A Linux bridge (net/bridge), measured with ethtool -k on 6.18. */
export const BRIDGE_FEATURES: FeatureDefaults = {
  on: [
    'tx-checksum-ip-generic', 'tx-scatter-gather', 'tx-scatter-gather-fraglist', 'tx-tcp-segmentation',
    'tx-tcp-ecn-segmentation', 'tx-tcp-mangleid-segmentation', 'tx-tcp6-segmentation', 'tx-tcp-accecn-segmentation',
    'tx-generic-segmentation', 'rx-gro', 'tx-vlan-hw-insert', 'highdma', 'tx-gso-robust', 'tx-fcoe-segmentation',
    'tx-gre-segmentation', 'tx-gre-csum-segmentation', 'tx-ipxip4-segmentation', 'tx-ipxip6-segmentation',
    'tx-udp_tnl-segmentation', 'tx-udp_tnl-csum-segmentation', 'tx-gso-partial', 'tx-tunnel-remcsum-segmentation',
    'tx-sctp-segmentation', 'tx-esp-segmentation', 'tx-udp-segmentation', 'tx-gso-list', 'tx-vlan-stag-hw-insert',
  ],
  fixed: [
    'rx-checksum', 'tx-checksum-ipv4', 'tx-checksum-ipv6', 'tx-checksum-fcoe-crc', 'tx-checksum-sctp', 'rx-vlan-hw-parse',
    'rx-vlan-stag-hw-parse', ...OFFLOADS_FIXED_OFF.filter((n) => !['tx-gso-robust', 'tx-fcoe-segmentation', 'tx-gso-partial', 'tx-tunnel-remcsum-segmentation', 'tx-esp-segmentation'].includes(n)),
  ],
};
