// The network tools every host has on its PATH.
import type { Program } from '../process.js';
import { ip } from './ip.js';
import { ping } from './ping.js';
import { traceroute } from './traceroute.js';
import { sysctl } from './sysctl.js';
import { nc } from './nc.js';
import { ss } from './ss.js';
import { tcpdump } from './tcpdump.js';
import { iptables, iptables_save } from './iptables.js';
import { dmesg } from './dmesg.js';
import { bridge } from './bridge.js';
import { ethtool } from './ethtool.js';
import { iperf3 } from './iperf3.js';
import { pktgen } from './pktgen.js';
import { udp_sink } from './udp_sink.js';
import { netstat } from './netstat.js';
import { mpstat } from './mpstat.js';

export function networkPrograms(): Map<string, Program> {
  return new Map<string, Program>([
    ['ip', ip],
    ['ping', ping],
    ['traceroute', traceroute],
    ['sysctl', sysctl],
    ['nc', nc],
    ['ss', ss],
    ['tcpdump', tcpdump],
    ['iptables', iptables],
    ['iptables-save', iptables_save],
    ['dmesg', dmesg],
    ['bridge', bridge],
    ['ethtool', ethtool],
    ['iperf3', iperf3],
    ['pktgen', pktgen],
    ['udp-sink', udp_sink],
    ['netstat', netstat],
    ['mpstat', mpstat],
  ]);
}
