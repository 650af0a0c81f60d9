// iproute2's print_link_flags and print_name_and_link (ip/ipaddress.c), which
// `ip link` and `bridge link` print alike.
import type { NetDevice } from '../../net/core/netdevice.js';
import { IFF_BROADCAST, IFF_LOOPBACK, IFF_MULTICAST, IFF_NOARP, IFF_POINTOPOINT, IFF_PROMISC, IFF_UP } from '../../net/core/netdevice.js';

const FLAG_NAMES: [number, string][] = [
  [IFF_LOOPBACK, 'LOOPBACK'],
  [IFF_BROADCAST, 'BROADCAST'],
  [IFF_POINTOPOINT, 'POINTOPOINT'],
  [IFF_MULTICAST, 'MULTICAST'],
  [IFF_NOARP, 'NOARP'],
  [IFF_PROMISC, 'PROMISC'],
  [IFF_UP, 'UP'],
];

/** The flag names inside <...>: NO-CARRIER and LOWER_UP come from the
 * operational state (dev_get_flags), the rest from the device's flags. */
export function link_flag_names(d: NetDevice): string {
  const up = (d.flags & IFF_UP) !== 0;
  const names: string[] = [];
  if (up && !d.carrier) names.push('NO-CARRIER');
  for (const [bit, n] of FLAG_NAMES) if (d.flags & bit) names.push(n);
  if (up && d.carrier) names.push('LOWER_UP');
  return names.join(',');
}

/** NAME@LINK for a device on another (veth: its peer; @ifN when that one is
 * not in this namespace), and whether that one is down (M-DOWN). */
export function name_and_link(d: NetDevice): { name: string; mdown: boolean } {
  if (!d.iflink || d.iflink === d.ifindex) return { name: d.name, mdown: false };
  const link = d.net.dev_get_by_index(d.iflink);
  if (!link) return { name: `${d.name}@if${d.iflink}`, mdown: false };
  return { name: `${d.name}@${link.name}`, mdown: !link.up };
}
