// net-tools 2.10 `netstat -s` (statistics.c): the sections of
// /proc/net/snmp and /proc/net/netstat as sentences. It reads the same files
// the kernel model prints and walks them as netstat does: a known counter
// (found by glibc's bsearch in tables that are not quite sorted, so a few
// fall through) prints its sentence, an unknown one prints "Name: value"
// when non-zero. -t, -u, -w pick the TCP, UDP and raw (Ip, Icmp) sections;
// sections netstat has no table for (IcmpMsg, UdpLite, IpExt, MPTcpExt)
// always print.
import type { Proc, ProgramGen } from '../process.js';
import { out, err } from './util.js';

type Kind = 'number' | 'opt_number' | 'i_forward' | 'i_inp_icmp' | 'i_outp_icmp' | 'i_rto_alg';
/** [title, sentence, type]; "|static" entries print only with print_static (never), "|title" under a histogram title. */
type Entry = [string, string, string];

const Iptab: Entry[] = [
  ["DefaultTTL", "Default TTL is %llu", 'number|static'],
  ["Forwarding", "Forwarding is %s", 'i_forward|static'],
  ["ForwDatagrams", "%llu forwarded", 'number'],
  ["FragCreates", "%llu fragments created", 'opt_number'],
  ["FragFails", "%llu outgoing packets failed fragmentation", 'opt_number'],
  ["FragOKs", "%llu outgoing packets fragmented ok", 'opt_number'],
  ["InAddrErrors", "%llu with invalid addresses", 'opt_number'],
  ["InDelivers", "%llu incoming packets delivered", 'number'],
  ["InDiscards", "%llu incoming packets discarded", 'number'],
  ["InHdrErrors", "%llu with invalid headers", 'opt_number'],
  ["InReceives", "%llu total packets received", 'number'],
  ["InUnknownProtos", "%llu with unknown protocol", 'opt_number'],
  ["OutDiscards", "%llu outgoing packets dropped", 'opt_number'],
  ["OutNoRoutes", "%llu dropped because of missing route", 'opt_number'],
  ["OutRequests", "%llu requests sent out", 'number'],
  ["ReasmFails", "%llu packet reassemblies failed", 'opt_number'],
  ["ReasmOKs", "%llu packets reassembled ok", 'opt_number'],
  ["ReasmReqds", "%llu reassemblies required", 'opt_number'],
  ["ReasmTimeout", "%llu fragments dropped after timeout", 'opt_number'],
];
const Icmptab: Entry[] = [
  ["InAddrMaskReps", "address mask replies: %llu", 'i_inp_icmp|title'],
  ["InAddrMasks", "address mask request: %llu", 'i_inp_icmp|title'],
  ["InDestUnreachs", "destination unreachable: %llu", 'i_inp_icmp|title'],
  ["InEchoReps", "echo replies: %llu", 'i_inp_icmp|title'],
  ["InEchos", "echo requests: %llu", 'i_inp_icmp|title'],
  ["InErrors", "%llu input ICMP message failed", 'number'],
  ["InMsgs", "%llu ICMP messages received", 'number'],
  ["InParmProbs", "wrong parameters: %llu", 'i_inp_icmp|title'],
  ["InRedirects", "redirects: %llu", 'i_inp_icmp|title'],
  ["InSrcQuenchs", "source quenches: %llu", 'i_inp_icmp|title'],
  ["InTimeExcds", "timeout in transit: %llu", 'i_inp_icmp|title'],
  ["InTimestampReps", "timestamp reply: %llu", 'i_inp_icmp|title'],
  ["InTimestamps", "timestamp request: %llu", 'i_inp_icmp|title'],
  ["OutAddrMaskReps", "address mask replies: %llu", 'i_outp_icmp|title'],
  ["OutAddrMasks", "address mask requests: %llu", 'i_outp_icmp|title'],
  ["OutDestUnreachs", "destination unreachable: %llu", 'i_outp_icmp|title'],
  ["OutEchoReps", "echo replies: %llu", 'i_outp_icmp|title'],
  ["OutEchos", "echo requests: %llu", 'i_outp_icmp|title'],
  ["OutErrors", "%llu ICMP messages failed", 'number'],
  ["OutMsgs", "%llu ICMP messages sent", 'number'],
  ["OutParmProbs", "wrong parameters: %llu", 'i_outp_icmp|title'],
  ["OutRedirects", "redirect: %llu", 'i_outp_icmp|title'],
  ["OutSrcQuenchs", "source quench: %llu", 'i_outp_icmp|title'],
  ["OutTimeExcds", "time exceeded: %llu", 'i_outp_icmp|title'],
  ["OutTimestampReps", "timestamp replies: %llu", 'i_outp_icmp|title'],
  ["OutTimestamps", "timestamp requests: %llu", 'i_outp_icmp|title'],
];
const Tcptab: Entry[] = [
  ["ActiveOpens", "%llu active connection openings", 'number'],
  ["AttemptFails", "%llu failed connection attempts", 'number'],
  ["CurrEstab", "%llu connections established", 'number'],
  ["EstabResets", "%llu connection resets received", 'number'],
  ["InErrs", "%llu bad segments received", 'number'],
  ["InSegs", "%llu segments received", 'number'],
  ["MaxConn", "", 'number'],
  ["OutRsts", "%llu resets sent", 'number'],
  ["OutSegs", "%llu segments sent out", 'number'],
  ["PassiveOpens", "%llu passive connection openings", 'number'],
  ["RetransSegs", "%llu segments retransmitted", 'number'],
  ["RtoAlgorithm", "RTO algorithm is %s", 'i_rto_alg|static'],
  ["RtoMax", "", 'number'],
  ["RtoMin", "", 'number'],
];
const Udptab: Entry[] = [
  ["InDatagrams", "%llu packets received", 'number'],
  ["InErrors", "%llu packet receive errors", 'number'],
  ["NoPorts", "%llu packets to unknown port received", 'number'],
  ["OutDatagrams", "%llu packets sent", 'number'],
  ["RcvbufErrors", "%llu receive buffer errors", 'number'],
  ["SndbufErrors", "%llu send buffer errors", 'number'],
];
const Tcpexttab: Entry[] = [
  ["DelayedACKLocked", "%llu delayed acks further delayed because of locked socket", 'opt_number'],
  ["DelayedACKLost", "Quick ack mode was activated %llu times", 'opt_number'],
  ["DelayedACKs", "%llu delayed acks sent", 'opt_number'],
  ["EmbryonicRsts", "%llu resets received for embryonic SYN_RECV sockets", 'opt_number'],
  ["ListenDrops", "%llu SYNs to LISTEN sockets dropped", 'opt_number'],
  ["ListenOverflows", "%llu times the listen queue of a socket overflowed", 'opt_number'],
  ["LockDroppedIcmps", "%llu ICMP packets dropped because socket was locked", 'opt_number'],
  ["OfoPruned", "%llu packets dropped from out-of-order queue because of socket buffer overrun", 'opt_number'],
  ["OutOfWindowIcmps", "%llu ICMP packets dropped because they were out-of-window", 'opt_number'],
  ["PAWSActive", "%llu active connections rejected because of time stamp", 'opt_number'],
  ["PAWSEstab", "%llu packets rejected in established connections because of timestamp", 'opt_number'],
  ["PAWSPassive", "%llu passive connections rejected because of time stamp", 'opt_number'],
  ["PruneCalled", "%llu packets pruned from receive queue because of socket buffer overrun", 'opt_number'],
  ["RcvPruned", "%llu packets pruned from receive queue", 'opt_number'],
  ["SockMallocOOM", "Ran %llu times out of system memory during packet sending", 'opt_number'],
  ["SyncookiesFailed", "%llu invalid SYN cookies received", 'opt_number'],
  ["SyncookiesRecv", "%llu SYN cookies received", 'opt_number'],
  ["SyncookiesSent", "%llu SYN cookies sent", 'opt_number'],
  ["TCPAbortFailed", "%llu times unable to send RST due to no memory", 'opt_number'],
  ["TCPAbortOnClose", "%llu connections reset due to early user close", 'opt_number'],
  ["TCPAbortOnData", "%llu connections reset due to unexpected data", 'opt_number'],
  ["TCPAbortOnLinger", "%llu connections aborted after user close in linger timeout", 'opt_number'],
  ["TCPAbortOnMemory", "%llu connections aborted due to memory pressure", 'opt_number'],
  ["TCPAbortOnSyn", "%llu connections reset due to unexpected SYN", 'opt_number'],
  ["TCPAbortOnTimeout", "%llu connections aborted due to timeout", 'opt_number'],
  ["TCPDirectCopyFromBacklog", "%llu bytes directly in process context from backlog", 'opt_number'],
  ["TCPDirectCopyFromPrequeue", "%llu bytes directly received in process context from prequeue", 'opt_number'],
  ["TCPDSACKOfoRecv", "%llu DSACKs for out of order packets received", 'opt_number'],
  ["TCPDSACKOfoSent", "%llu DSACKs sent for out of order packets", 'opt_number'],
  ["TCPDSACKOldSent", "%llu DSACKs sent for old packets", 'opt_number'],
  ["TCPDSACKRecv", "%llu DSACKs received", 'opt_number'],
  ["TCPDSackUndo", "%llu congestion window recovered without slow start using DSACK", 'opt_number'],
  ["TCPDSACKUndo", "%llu congestion windows recovered without slow start by DSACK", 'opt_number'],
  ["TCPFACKReorder", "Detected reordering %llu times using FACK", 'opt_number'],
  ["TCPFastRetrans", "%llu fast retransmits", 'opt_number'],
  ["TCPForwardRetrans", "%llu forward retransmits", 'opt_number'],
  ["TCPFullUndo", "%llu congestion windows fully recovered without slow start", 'opt_number'],
  ["TCPHPAcks", "%llu predicted acknowledgments", 'opt_number'],
  ["TCPHPHits", "%llu packet headers predicted", 'number'],
  ["TCPHPHitsToUser", "%llu packet headers predicted and directly queued to user", 'opt_number'],
  ["TCPLossFailures", "%llu timeouts in loss state", 'opt_number'],
  ["TCPLoss", "%llu TCP data loss events", 'opt_number'],
  ["TCPLossUndo", "%llu congestion windows recovered without slow start after partial ack", 'opt_number'],
  ["TCPLostRetransmits", "%llu retransmits lost", 'opt_number'],
  ["TCPMemoryPressures", "TCP ran low on memory %llu times", 'opt_number'],
  ["TCPPartialUndo", "%llu congestion windows partially recovered using Hoe heuristic", 'opt_number'],
  ["TCPPrequeued", "%llu packets directly queued to recvmsg prequeue", 'opt_number'],
  ["TCPPrequeueDropped", "%llu packets dropped from prequeue", 'opt_number'],
  ["TCPPureAcks", "%llu acknowledgments not containing data payload received", 'opt_number'],
  ["TCPRcvCollapsed", "%llu packets collapsed in receive queue due to low socket buffer", 'opt_number'],
  ["TCPRenoFailures", "%llu timeouts after reno fast retransmit", 'opt_number'],
  ["TCPRenoRecoveryFailed", "%llu reno fast retransmits failed", 'opt_number'],
  ["TCPRenoRecoveryFail", "%llu classic Reno fast retransmits failed", 'opt_number'],
  ["TCPRenoRecovery", "%llu times recovered from packet loss due to fast retransmit", 'opt_number'],
  ["TCPRenoReorder", "Detected reordering %llu times using reno fast retransmit", 'opt_number'],
  ["TCPSackFailures", "%llu timeouts after SACK recovery", 'opt_number'],
  ["TCPSackRecoveryFail", "%llu SACK retransmits failed", 'opt_number'],
  ["TCPSackRecovery", "%llu times recovered from packet loss by selective acknowledgements", 'opt_number'],
  ["TCPSACKReneging", "%llu bad SACK blocks received", 'opt_number'],
  ["TCPSACKReorder", "Detected reordering %llu times using SACK", 'opt_number'],
  ["TCPSchedulerFailed", "%llu times receiver scheduled too late for direct processing", 'opt_number'],
  ["TCPSlowStartRetrans", "%llu retransmits in slow start", 'opt_number'],
  ["TCPTimeouts", "%llu other TCP timeouts", 'opt_number'],
  ["TCPTSReorder", "Detected reordering %llu times using time stamp", 'opt_number'],
  ["TWKilled", "%llu TCP sockets finished time wait in slow timer", 'opt_number'],
  ["TW", "%llu TCP sockets finished time wait in fast timer", 'opt_number'],
  ["TWRecycled", "%llu time wait sockets recycled by time stamp", 'opt_number'],
];

/** The tables netstat knows, and which flag selects each. */
const SNMPTABS: [string, Entry[], 'raw' | 'tcp' | 'udp' | 'sctp'][] = [
  ['Ip', Iptab, 'raw'],
  ['Icmp', Icmptab, 'raw'],
  ['Tcp', Tcptab, 'tcp'],
  ['Udp', Udptab, 'udp'],
  ['Sctp', [], 'sctp'],
  ['TcpExt', Tcpexttab, 'tcp'],
];

const STATES: Record<Kind, { indent: number; title?: string }> = {
  number: { indent: 4 },
  opt_number: { indent: 4 },
  i_forward: { indent: 4 },
  i_inp_icmp: { indent: 8, title: 'ICMP input histogram:' },
  i_outp_icmp: { indent: 8, title: 'ICMP output histogram:' },
  i_rto_alg: { indent: 4 },
};

/** glibc bsearch with strcmp. */
function bsearch(tab: Entry[], key: string): Entry | null {
  let l = 0;
  let u = tab.length;
  while (l < u) {
    const idx = (l + u) >> 1;
    const t = tab[idx][0];
    if (key < t) u = idx;
    else if (key > t) l = idx + 1;
    else return tab[idx];
  }
  return null;
}

/** %llu as printf fills it into the sentence. */
function fmt(s: string, v: string): string {
  return s.replace(/%llu|%s/, v);
}

/** The text netstat -s prints for one /proc file's pairs of lines. */
export function netstat_s_text(text: string, flags: Record<string, boolean>): string {
  let o = '';
  let state: Kind = 'number';
  const lines = text.split('\n');
  for (let i = 0; i + 1 < lines.length; i += 2) {
    if (lines[i] === '') {
      i--;
      continue;
    }
    const sp = lines[i].indexOf(':');
    const np = lines[i + 1].indexOf(':');
    if (sp < 0 || np < 0) break;
    const title = lines[i].slice(0, sp);
    const known = SNMPTABS.find(([t]) => t === title);
    const on = known ? flags[known[2]] : true;
    if (on) o += `${title}:\n`;
    state = 'number';
    const names = lines[i].slice(sp + 1).trim().split(/\s+/);
    const values = lines[i + 1].slice(np + 1).trim().split(/\s+/);
    if (!on) continue;
    names.forEach((name, k) => {
      if (!name) return;
      const raw = values[k] ?? '0';
      // strtoull: a negative number wraps; MaxConn -1 prints as 2^64-1.
      const val = raw.startsWith('-') ? (18446744073709551616n + BigInt(raw)).toString() : BigInt(raw).toString();
      const ent = known ? bsearch(known[1], name) : null;
      if (!ent) {
        if (val !== '0') o += `${' '.repeat(STATES[state].indent)}${name}: ${val}\n`;
        return;
      }
      const [k0, mod] = ent[2].split('|') as [Kind, string | undefined];
      let kind = k0;
      if (mod === 'static') return;
      if (ent[1] === '') return;
      if (mod === 'title' && state !== kind) o += `${' '.repeat(STATES[state].indent)}${STATES[kind].title}\n`;
      let buf = '';
      switch (kind) {
        case 'opt_number':
        case 'number':
          if (kind === 'number' || val !== '0') buf = fmt(ent[1], val);
          break;
        case 'i_forward':
          kind = 'number';
          buf = fmt(ent[1], val === '2' ? 'enabled' : 'disabled');
          break;
        case 'i_inp_icmp':
        case 'i_outp_icmp':
          if (val !== '0') buf = fmt(ent[1], val);
          break;
        case 'i_rto_alg':
          break;
      }
      if (buf) o += `${' '.repeat(STATES[kind].indent)}${buf}\n`;
      state = kind;
    });
  }
  return o;
}

export function* netstat(p: Proc): ProgramGen {
  let sta = false;
  const f = { tcp: false, udp: false, raw: false, sctp: false };
  for (const a of p.argv.slice(1)) {
    const long: Record<string, string> = { '--statistics': 's', '--tcp': 't', '--udp': 'u', '--raw': 'w', '--sctp': 'S', '--numeric': 'n' };
    const opts = a.startsWith('--') ? (long[a] ?? '?') : a.startsWith('-') ? a.slice(1) : '?';
    for (const c of opts) {
      if (c === 's') sta = true;
      else if (c === 't') f.tcp = true;
      else if (c === 'u') f.udp = true;
      else if (c === 'w') f.raw = true;
      else if (c === 'S') f.sctp = true;
      else if (c === 'n' || c === '4') continue;
      else {
        err(p, `netstat: StackLab models only the statistics mode (netstat -s [-t] [-u] [-w])\n`);
        return 1;
      }
    }
  }
  if (!sta) {
    err(p, 'netstat: StackLab models only the statistics mode (netstat -s [-t] [-u] [-w])\n');
    return 1;
  }
  if (!f.tcp && !f.udp && !f.raw && !f.sctp) f.tcp = f.udp = f.raw = f.sctp = true;
  let o = '';
  for (const file of ['/proc/net/snmp', '/proc/net/netstat']) {
    const text = p.vfs.read(file);
    if (typeof text !== 'string') {
      if (file === '/proc/net/snmp') err(p, `cannot open /proc/net/snmp: No such file or directory\n`);
      continue;
    }
    o += netstat_s_text(text, f);
  }
  out(p, o);
  return 0;
}
