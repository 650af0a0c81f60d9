// The network tools every host has on its PATH.
import type { Program } from '../process.js';
import { ip } from './ip.js';
import { ping } from './ping.js';
import { traceroute } from './traceroute.js';
import { sysctl } from './sysctl.js';
import { nc } from './nc.js';
import { ss } from './ss.js';
import { tcpdump } from './tcpdump.js';

export function networkPrograms(): Map<string, Program> {
  return new Map<string, Program>([
    ['ip', ip],
    ['ping', ping],
    ['traceroute', traceroute],
    ['sysctl', sysctl],
    ['nc', nc],
    ['ss', ss],
    ['tcpdump', tcpdump],
  ]);
}
