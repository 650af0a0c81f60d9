// /proc/net/arp, as arp_seq_show / arp_format_neigh_entry /
// arp_format_pneigh_entry (net/ipv4/arp.c) print it.

import { padRight } from './fmt.js';

/** ARP flags (include/uapi/linux/if_arp.h). */
export const ATF_COM = 0x02; // completed entry (ha valid)
export const ATF_PERM = 0x04; // permanent entry
export const ATF_PUBL = 0x08; // publish entry (proxy)

/** NUD states (include/uapi/linux/neighbour.h). */
export const NUD_INCOMPLETE = 0x01;
export const NUD_REACHABLE = 0x02;
export const NUD_STALE = 0x04;
export const NUD_DELAY = 0x08;
export const NUD_PROBE = 0x10;
export const NUD_FAILED = 0x20;
export const NUD_NOARP = 0x40;
export const NUD_PERMANENT = 0x80;
export const NUD_VALID = NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE | NUD_PROBE | NUD_STALE | NUD_DELAY;

/** arp_state_to_flags(): the Flags column for a neighbour's nud_state. */
export function arp_state_to_flags(nud: number): number {
  if (nud & NUD_PERMANENT) return ATF_PERM | ATF_COM;
  if (nud & NUD_VALID) return ATF_COM;
  return 0;
}

/**
 * Whether /proc/net/arp lists a neighbour in this state: the iterator skips
 * entries whose state is NUD_NONE or only NUD_NOARP (NEIGH_SEQ_SKIP_NOARP).
 */
export function arp_seq_shows(nud: number): boolean {
  return (nud & ~NUD_NOARP) !== 0;
}

export interface ArpEntry {
  /** Dotted quad. */
  ip: string;
  /** dev->type: 0x1 (ARPHRD_ETHER). */
  hwType?: number;
  /** 0x2 complete, 0x6 permanent, 0x0 incomplete/failed, 0xc proxy (pneigh). */
  flags: number;
  /** Hardware address as "xx:xx:..."; defaults to 00:00:00:00:00:00 (what an incomplete entry holds). */
  mac?: string;
  /** Always '*' in Linux. */
  mask?: string;
  dev: string;
}

export const PROC_NET_ARP_HEADER = 'IP address       HW type     Flags       HW address            Mask     Device\n';

/** One entry: "%-16s 0x%-10x0x%-10x%-17s     %-8s %s". */
export function procNetArpLine(e: ArpEntry): string {
  const hw = padRight('0x' + (e.hwType ?? 1).toString(16), 12);
  const flags = padRight('0x' + e.flags.toString(16), 12);
  const mac = padRight(e.mac ?? '00:00:00:00:00:00', 17);
  return `${padRight(e.ip, 16)} ${hw}${flags}${mac}     ${padRight(e.mask ?? '*', 8)} ${e.dev}\n`;
}

/** The exact text of /proc/net/arp; entries in the order given (the kernel walks its hash table). */
export function procNetArp(entries: readonly ArpEntry[]): string {
  return PROC_NET_ARP_HEADER + entries.map(procNetArpLine).join('');
}
