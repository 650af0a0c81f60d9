// iproute2 ss (6.1): sockets as inet_diag reports them. TCP (-t) from the
// namespace's hash tables: listeners, then connections, request socks
// (SYN-RECV) and TIME_WAIT socks; UDP (-u). Columns as ss lays them out
// (Netid when several protocols, State unless one state was asked for,
// Recv-Q, Send-Q, address and port columns, Process); -i prints tcp_info as
// tcp_stats_print does, -m skmem, -o timers, `state NAME` and simple
// sport/dport/src/dst filters.
import type { Proc, ProgramGen } from '../process.js';
import { kernel, out, err, parseInetLoose } from './util.js';
import { formatIPv4 } from '../../net/wire/ip.js';
import type { Sock } from '../../net/ipv4/sock.js';
import { getservbyport, getservbyname } from './netdb.js';
import { inet_diag_all, inet_get_local_port_range } from '../../net/ipv4/inet_hashtables.js';
import { TcpSock, RequestSock, TimewaitSock, type AnyTcpSock } from '../../net/ipv4/tcp_sock.js';
import { tcp_get_info, type TcpInfo } from '../../net/ipv4/tcp.js';
import { SS_USAGE } from './usage.js';

// SS_* states in ss's numbering (= TCP_* in the kernel).
const SS_NAMES = ['UNKNOWN', 'ESTAB', 'SYN-SENT', 'SYN-RECV', 'FIN-WAIT-1', 'FIN-WAIT-2', 'TIME-WAIT', 'UNCONN', 'CLOSE-WAIT', 'LAST-ACK', 'LISTEN', 'CLOSING'];
const SS_ESTABLISHED = 1;
const SS_SYN_SENT = 2;
const SS_SYN_RECV = 3;
const SS_FIN_WAIT1 = 4;
const SS_FIN_WAIT2 = 5;
const SS_TIME_WAIT = 6;
const SS_CLOSE = 7;
const SS_CLOSE_WAIT = 8;
const SS_LAST_ACK = 9;
const SS_LISTEN = 10;
const SS_CLOSING = 11;
const SS_ALL = (1 << 12) - 2;
const SS_CONN = SS_ALL & ~((1 << SS_LISTEN) | (1 << SS_CLOSE) | (1 << SS_TIME_WAIT) | (1 << SS_SYN_RECV));

const STATE_BY_KERNEL: Record<string, number> = {
  ESTABLISHED: SS_ESTABLISHED,
  SYN_SENT: SS_SYN_SENT,
  SYN_RECV: SS_SYN_RECV,
  NEW_SYN_RECV: SS_SYN_RECV,
  FIN_WAIT1: SS_FIN_WAIT1,
  FIN_WAIT2: SS_FIN_WAIT2,
  TIME_WAIT: SS_TIME_WAIT,
  CLOSE: SS_CLOSE,
  CLOSE_WAIT: SS_CLOSE_WAIT,
  LAST_ACK: SS_LAST_ACK,
  LISTEN: SS_LISTEN,
  CLOSING: SS_CLOSING,
};

/** `state` filter keywords (sstate_namel and the group names). */
const STATE_FILTERS: Record<string, number> = {
  all: SS_ALL,
  connected: SS_CONN,
  synchronized: SS_CONN & ~(1 << SS_SYN_SENT),
  bucket: (1 << SS_SYN_RECV) | (1 << SS_TIME_WAIT),
  big: SS_ALL & ~((1 << SS_SYN_RECV) | (1 << SS_TIME_WAIT)),
  established: 1 << SS_ESTABLISHED,
  'syn-sent': 1 << SS_SYN_SENT,
  'syn-recv': 1 << SS_SYN_RECV,
  'fin-wait-1': 1 << SS_FIN_WAIT1,
  'fin-wait-2': 1 << SS_FIN_WAIT2,
  'time-wait': 1 << SS_TIME_WAIT,
  closed: 1 << SS_CLOSE,
  'close-wait': 1 << SS_CLOSE_WAIT,
  'last-ack': 1 << SS_LAST_ACK,
  listening: 1 << SS_LISTEN,
  closing: 1 << SS_CLOSING,
};

/** One row of ss output before layout. */
interface Row {
  netid: string;
  state: number;
  rq: number;
  wq: number;
  laddr: number;
  lport: number;
  raddr: number;
  rport: number;
  /** Text after the columns on the same line (-o timers). */
  ext: string;
  /** The second line (-i, -m), without its leading "\n\t". */
  detail: string | null;
}

/** C printf %g. */
export function fmtG(x: number, prec = 6): string {
  if (x === 0) return '0';
  if (!Number.isFinite(x)) return String(x);
  const exp = Math.floor(Math.log10(Math.abs(x)));
  let s: string;
  if (exp < -4 || exp >= prec) {
    s = x.toExponential(prec - 1);
    let [m, e] = s.split('e');
    if (m.includes('.')) m = m.replace(/0+$/, '').replace(/\.$/, '');
    const en = Number(e);
    s = `${m}e${en < 0 ? '-' : '+'}${String(Math.abs(en)).padStart(2, '0')}`;
  } else {
    s = x.toFixed(Math.max(0, prec - 1 - exp));
    if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  }
  return s;
}

/** sprint_bw. */
function sprint_bw(bw: number, numeric: boolean): string {
  if (numeric) return bw.toFixed(0);
  if (bw > 1e9) return `${fmtG(bw / 1e9, 3)}G`;
  if (bw > 1e6) return `${fmtG(bw / 1e6, 3)}M`;
  if (bw > 1e3) return `${fmtG(bw / 1e3, 3)}K`;
  return fmtG(bw);
}

/** print_ms_timer. */
function print_ms_timer(timeout: number): string {
  let secs = Math.floor(timeout / 1000);
  const minutes = Math.floor(secs / 60);
  secs %= 60;
  let msecs = timeout % 1000;
  let buf = '';
  if (minutes) {
    msecs = 0;
    buf = `${minutes}min`;
    if (minutes > 9) secs = 0;
  }
  if (secs) {
    if (secs > 9) msecs = 0;
    buf += `${secs}${msecs ? '.' : 'sec'}`;
  }
  if (msecs) buf += String(msecs).padStart(3, '0') + 'ms';
  return buf;
}

/** tcp_stats_print (iproute2 6.1) from a tcp_info. */
function tcp_stats_print(i: TcpInfo, numeric: boolean, showOptions: boolean): string {
  let o = '';
  if (showOptions) {
    if (i.options.ts) o += ' ts';
    if (i.options.sack) o += ' sack';
  }
  if (i.ca_name) o += ` ${i.ca_name}`;
  if (i.state === 'LISTEN') {
    o += ` cwnd:${i.snd_cwnd}`;
    if (i.reordering !== 3) o += ` reordering:${i.reordering}`;
    return o;
  }
  if (i.options.wscale) o += ` wscale:${i.options.snd_wscale},${i.options.rcv_wscale}`;
  const rto = i.rto_us && i.rto_us !== 3000000 ? i.rto_us / 1000 : 0;
  if (rto) o += ` rto:${fmtG(rto)}`;
  if (i.backoff) o += ` backoff:${i.backoff}`;
  if (i.rtt_us) o += ` rtt:${fmtG(i.rtt_us / 1000)}/${fmtG(i.rttvar_us / 1000)}`;
  if (i.ato_us) o += ` ato:${fmtG(i.ato_us / 1000)}`;
  if (i.snd_mss) o += ` mss:${i.snd_mss}`;
  if (i.pmtu) o += ` pmtu:${i.pmtu}`;
  if (i.rcv_mss) o += ` rcvmss:${i.rcv_mss}`;
  if (i.advmss) o += ` advmss:${i.advmss}`;
  if (i.snd_cwnd) o += ` cwnd:${i.snd_cwnd}`;
  if (i.snd_ssthresh < 0xffff) o += ` ssthresh:${i.snd_ssthresh}`;
  if (i.bytes_sent) o += ` bytes_sent:${i.bytes_sent}`;
  if (i.bytes_retrans) o += ` bytes_retrans:${i.bytes_retrans}`;
  if (i.bytes_acked) o += ` bytes_acked:${i.bytes_acked}`;
  if (i.bytes_received) o += ` bytes_received:${i.bytes_received}`;
  if (i.segs_out) o += ` segs_out:${i.segs_out}`;
  if (i.segs_in) o += ` segs_in:${i.segs_in}`;
  if (i.data_segs_out) o += ` data_segs_out:${i.data_segs_out}`;
  if (i.data_segs_in) o += ` data_segs_in:${i.data_segs_in}`;
  if (i.ca_info) o += ` ${i.ca_info.replace(/bw:([0-9.]+[KMG]?)bps/, (_m, v) => `bw:${numeric ? String(Math.round(parseBw(v))) : v}bps`)}`;
  if (i.rtt_us && i.snd_mss && i.snd_cwnd) o += ` send ${sprint_bw((i.snd_cwnd * i.snd_mss * 8000000) / i.rtt_us, numeric)}bps`;
  if (i.last_data_sent_ms) o += ` lastsnd:${i.last_data_sent_ms}`;
  if (i.last_data_recv_ms) o += ` lastrcv:${i.last_data_recv_ms}`;
  if (i.last_ack_recv_ms) o += ` lastack:${i.last_ack_recv_ms}`;
  if (i.pacing_rate && i.pacing_rate !== Number.MAX_SAFE_INTEGER) {
    o += ` pacing_rate ${sprint_bw(i.pacing_rate * 8, numeric)}bps`;
    if (i.max_pacing_rate && i.max_pacing_rate !== Number.MAX_SAFE_INTEGER) o += `/${sprint_bw(i.max_pacing_rate * 8, numeric)}bps`;
  }
  if (i.delivery_rate) o += ` delivery_rate ${sprint_bw(i.delivery_rate * 8, numeric)}bps`;
  if (i.delivered) o += ` delivered:${i.delivered}`;
  if (i.delivered_ce) o += ` delivered_ce:${i.delivered_ce}`;
  if (i.delivery_rate_app_limited) o += ' app_limited';
  if (i.busy_time_us) {
    o += ` busy:${Math.floor(i.busy_time_us / 1000)}ms`;
    if (i.rwnd_limited_us) o += ` rwnd_limited:${Math.floor(i.rwnd_limited_us / 1000)}ms(${((100 * i.rwnd_limited_us) / i.busy_time_us).toFixed(1)}%)`;
    if (i.sndbuf_limited_us) o += ` sndbuf_limited:${Math.floor(i.sndbuf_limited_us / 1000)}ms(${((100 * i.sndbuf_limited_us) / i.busy_time_us).toFixed(1)}%)`;
  }
  if (i.unacked) o += ` unacked:${i.unacked}`;
  if (i.retrans || i.total_retrans) o += ` retrans:${i.retrans}/${i.total_retrans}`;
  if (i.lost) o += ` lost:${i.lost}`;
  if (i.sacked) o += ` sacked:${i.sacked}`;
  if (i.dsack_dups) o += ` dsack_dups:${i.dsack_dups}`;
  if (i.reordering !== 3) o += ` reordering:${i.reordering}`;
  if (i.reord_seen) o += ` reord_seen:${i.reord_seen}`;
  if (i.rcv_rtt_us) o += ` rcv_rtt:${fmtG(i.rcv_rtt_us / 1000)}`;
  if (i.rcv_space) o += ` rcv_space:${i.rcv_space}`;
  if (i.rcv_ssthresh) o += ` rcv_ssthresh:${i.rcv_ssthresh}`;
  if (i.notsent_bytes) o += ` notsent:${i.notsent_bytes}`;
  if (i.min_rtt_us && i.min_rtt_us !== 0xffffffff) o += ` minrtt:${fmtG(i.min_rtt_us / 1000)}`;
  if (i.snd_wnd) o += ` snd_wnd:${i.snd_wnd}`;
  return o;
}

function parseBw(v: string): number {
  const m = /^([0-9.]+)([KMG]?)$/.exec(v)!;
  return Number(m[1]) * ({ '': 1, K: 1e3, M: 1e6, G: 1e9 } as Record<string, number>)[m[2]];
}

/** inet_diag's idiag_timer/expires/retrans, as tcp_timer_print shows them. */
function tcp_timer(sk: AnyTcpSock, now: number): string {
  const ms = (t: number) => Math.max(0, Math.ceil((t - now) / 1e6));
  if (sk instanceof TimewaitSock) return ` timer:(timewait,${print_ms_timer(ms(sk.tw_ttd))},0)`;
  if (sk instanceof RequestSock) return ` timer:(on,${print_ms_timer(ms(sk.timer.expires))},${sk.num_retrans})`;
  if (sk.pending === 'RETRANS' || sk.pending === 'REO_TIMEOUT' || sk.pending === 'LOSS_PROBE') return ` timer:(on,${print_ms_timer(ms(sk.timeout))},${sk.retransmits})`;
  if (sk.pending === 'PROBE0') return ` timer:(persist,${print_ms_timer(ms(sk.timeout))},${sk.probes_out})`;
  if (sk.keepalive_timer.pending) return ` timer:(keepalive,${print_ms_timer(ms(sk.keepalive_timer.expires))},${sk.probes_out})`;
  return '';
}

// ---- the filter expression (ssfilter.y and ss.c's yylex/parse_hostcond) ----

/** A host condition: an address prefix (null: any) and a port (-1: any). */
interface HostCond {
  addr: number | null;
  plen: number;
  port: number;
}
type FNode =
  | { op: 'and' | 'or'; a: FNode; b: FNode }
  | { op: 'not'; a: FNode }
  | { op: 'scond' | 'dcond' | 'sge' | 'sle' | 'dge' | 'dle'; c: HostCond }
  | { op: 'dev'; ifindex: number }
  | { op: 'autobound' };

interface SockKey {
  laddr: number;
  lport: number;
  raddr: number;
  rport: number;
  iface: number;
  autobound: boolean;
}

/** A filter that cannot be parsed: what ss prints and its exit status. */
class FilterError {
  constructor(
    readonly text: string,
    readonly status: number,
  ) {}
}

const prefixMatch = (c: HostCond, a: number) => c.addr === null || c.plen === 0 || (a ^ c.addr) >>> (32 - c.plen) === 0;

/** run_ssfilter. */
function runFilter(f: FNode, k: SockKey): boolean {
  switch (f.op) {
    case 'and':
      return runFilter(f.a, k) && runFilter(f.b, k);
    case 'or':
      return runFilter(f.a, k) || runFilter(f.b, k);
    case 'not':
      return !runFilter(f.a, k);
    case 'scond':
      return (f.c.port === -1 || f.c.port === k.lport) && prefixMatch(f.c, k.laddr);
    case 'dcond':
      return (f.c.port === -1 || f.c.port === k.rport) && prefixMatch(f.c, k.raddr);
    case 'sge':
      return k.lport >= f.c.port;
    case 'sle':
      return k.lport <= f.c.port;
    case 'dge':
      return k.rport >= f.c.port;
    case 'dle':
      return k.rport <= f.c.port;
    case 'dev':
      return k.iface === f.ifindex;
    case 'autobound':
      return k.autobound;
  }
}

/** parse_hostcond for inet: [addr[/plen]][:port], or just a port after sport/dport. */
function parseHostCond(tok: string, isPort: boolean, dbs: { tcp: boolean; udp: boolean }): HostCond {
  const c: HostCond = { addr: null, plen: 32, port: -1 };
  let addr = tok;
  let port: string | null = null;
  if (isPort) {
    port = addr;
    addr = '';
  } else {
    const slash = addr.indexOf('/');
    const colon = addr.lastIndexOf(':');
    if (colon >= 0 && colon > slash) {
      port = addr.slice(colon + 1);
      addr = addr.slice(0, colon);
    }
  }
  if (port !== null && port.startsWith(':')) port = port.slice(1);
  if (port && port !== '*') {
    if (/^(0x[0-9a-f]+|\d+)$/i.test(port)) c.port = Number(port);
    else {
      const u = dbs.udp ? getservbyname(port, 'udp') : null;
      const t = dbs.tcp ? getservbyname(port, 'tcp') : null;
      if (u !== null && t !== null && u !== t) throw new FilterError(`Error: ambiguous port "${port}".\n`, 1);
      const n = u ?? t;
      if (n === null) throw new FilterError(`Error: "${port}" does not look like a port.\n`, 1);
      c.port = n;
    }
  }
  if (isPort || !addr || addr === '*') return c;
  // get_prefix_1, then a DNS lookup (the lab resolves only localhost).
  const [a, len] = addr.split('/');
  const ip = parseInetLoose(a) ?? (a === 'localhost' ? 0x7f000001 : null);
  const plen = len === undefined ? 32 : /^\d+$/.test(len) ? Number(len) : NaN;
  if (ip === null || !(plen >= 0 && plen <= 32)) throw new FilterError(`Error: an inet prefix is expected rather than "${addr}".\n`, 1);
  c.addr = ip;
  c.plen = plen;
  return c;
}

const SYNTAX_ERROR = new FilterError(`ss: bison bellows (while parsing filter): "syntax error!" Sorry.\n${SS_USAGE}`, 255);

/** ssfilter_parse: the words after the state filters, tokenized as yylex
 * does (a HOSTCOND is parsed as soon as it is read, so a bad address is
 * reported before a later syntax error). '&' binds tighter than '|'. */
function parseFilter(p: Proc, words: string[], dbs: { tcp: boolean; udp: boolean }): FNode {
  const toks = words.flatMap((w) => w.split(/\s+/).filter(Boolean));
  let i = 0;
  let tokType = '';
  type Tok = { t: string; c?: HostCond; ifindex?: number };
  const KW: Record<string, string> = {
    '!': '!', not: '!', '|': '|', '||': '|', or: '|', '&': '&', '&&': '&', and: '&', '(': '(', ')': ')',
    '>=': 'GEQ', ge: 'GEQ', geq: 'GEQ', '<=': 'LEQ', le: 'LEQ', leq: 'LEQ', '!=': 'NEQ', ne: 'NEQ', neq: 'NEQ',
    '=': '=', '==': '=', eq: '=', '>': '>', gt: '>', '<': '<', lt: '<',
  };
  const COND: Record<string, string> = { dst: 'DCOND', src: 'SCOND', dport: 'DPORT', sport: 'SPORT', autobound: 'AUTOBOUND', dev: 'DEVCOND' };
  const lex = (): Tok => {
    if (i >= toks.length) return { t: 'EOF' };
    const w = toks[i++];
    if (KW[w]) return { t: KW[w] };
    if (COND[w]) return { t: (tokType = COND[w]) };
    if (tokType === 'DEVCOND') {
      const dev = kernel(p).dev_get_by_name(w);
      const idx = dev ? dev.ifindex : /^\d+$/.test(w) ? Number(w) : 0;
      if (!idx) throw new FilterError('Cannot parse device.\n', 1);
      return { t: 'DEVNAME', ifindex: idx };
    }
    try {
      return { t: 'HOSTCOND', c: parseHostCond(w, tokType === 'SPORT' || tokType === 'DPORT', dbs) };
    } catch (e) {
      if (e instanceof FilterError) throw new FilterError(e.text + 'Cannot parse dst/src address.\n', 1);
      throw e;
    }
  };
  let la: Tok | null = null;
  const peek = () => (la ??= lex());
  const next = () => {
    const t = peek();
    la = null;
    return t;
  };
  const want = (t: string): Tok => {
    const k = next();
    if (k.t !== t) throw SYNTAX_ERROR;
    return k;
  };
  const starts = (t: string) => ['!', '(', 'DCOND', 'SCOND', 'DPORT', 'SPORT', 'AUTOBOUND', 'DEVCOND'].includes(t);
  const expr = (): FNode => {
    const t = next();
    switch (t.t) {
      case '!':
        return { op: 'not', a: expr() };
      case '(': {
        const e = orList();
        want(')');
        return e;
      }
      case 'AUTOBOUND':
        return { op: 'autobound' };
      case 'DEVCOND': {
        let k = next();
        const neq = k.t === 'NEQ';
        if (k.t === '=' || neq) k = next();
        if (k.t !== 'DEVNAME') throw SYNTAX_ERROR;
        const n: FNode = { op: 'dev', ifindex: k.ifindex! };
        return neq ? { op: 'not', a: n } : n;
      }
      case 'DCOND':
      case 'SCOND': {
        let k = next();
        const neq = k.t === 'NEQ';
        if (k.t === '=' || neq) k = next();
        if (k.t !== 'HOSTCOND') throw SYNTAX_ERROR;
        const n: FNode = { op: t.t === 'DCOND' ? 'dcond' : 'scond', c: k.c! };
        return neq ? { op: 'not', a: n } : n;
      }
      case 'DPORT':
      case 'SPORT': {
        const d = t.t === 'DPORT';
        let op = next();
        let k = op;
        if (op.t === 'HOSTCOND') op = { t: '=' };
        else k = next();
        if (k.t !== 'HOSTCOND') throw SYNTAX_ERROR;
        const c = k.c!;
        switch (op.t) {
          case 'GEQ':
            return { op: d ? 'dge' : 'sge', c };
          case 'LEQ':
            return { op: d ? 'dle' : 'sle', c };
          case '>':
            return { op: 'not', a: { op: d ? 'dle' : 'sle', c } };
          case '<':
            return { op: 'not', a: { op: d ? 'dge' : 'sge', c } };
          case '=':
            return { op: d ? 'dcond' : 'scond', c };
          case 'NEQ':
            return { op: 'not', a: { op: d ? 'dcond' : 'scond', c } };
        }
        throw SYNTAX_ERROR;
      }
    }
    throw SYNTAX_ERROR;
  };
  const andList = (): FNode => {
    let e = expr();
    for (;;) {
      const t = peek().t;
      if (t === '&') next();
      else if (!starts(t)) return e;
      e = { op: 'and', a: e, b: expr() };
    }
  };
  const orList = (): FNode => {
    let e = andList();
    while (peek().t === '|') {
      next();
      e = { op: 'or', a: e, b: andList() };
    }
    return e;
  };
  const f = orList();
  if (peek().t !== 'EOF') throw SYNTAX_ERROR;
  return f;
}

const SS_FAMILIES = ['inet', 'inet6', 'link', 'unix', 'netlink', 'packet', 'vsock', 'tipc', 'xdp', 'mptcp'];
const SS_TABLES = ['all', 'inet', 'tcp', 'udp', 'raw', 'unix', 'packet', 'netlink', 'unix_dgram', 'unix_stream', 'unix_seqpacket', 'packet_raw', 'packet_dgram', 'dccp', 'sctp', 'vsock', 'vsock_stream', 'vsock_dgram', 'xdp', 'mptcp', 'tipc'];

/** -f: why `v` is not a family ss knows, or ''. */
function ssFamily(v: string): string {
  return SS_FAMILIES.includes(v) ? '' : 'invalid family';
}

/** -A: why `v` (comma-separated, ! to exclude) is not a socket table query, or ''. */
function ssQuery(v: string): string {
  return v.split(',').every((t) => SS_TABLES.includes(t.replace(/^!/, ''))) ? '' : 'illegal socket table id';
}

export function* ss(p: Proc): ProgramGen {
  const net = kernel(p);
  let udp = false;
  let tcp = false;
  let all = false;
  let listening = false;
  let mem = false;
  let info = false;
  let numeric = false;
  let options = false;
  let header = true;
  let states: number | null = null;
  const words: string[] = [];
  const args = p.argv.slice(1);
  const longs: Record<string, string> = { '--tcp': 't', '--udp': 'u', '--all': 'a', '--listening': 'l', '--numeric': 'n', '--info': 'i', '--memory': 'm', '--options': 'o', '--extended': 'e', '--no-header': 'H', '--ipv4': '4', '--processes': 'p' };
  while (args.length) {
    const a = args.shift()!;
    if (a === '--') {
      words.push(...args.splice(0));
      break;
    }
    if (a.startsWith('--')) {
      const f = longs[a];
      if (!f) {
        err(p, `ss: unrecognized option '${a}'\n`);
        return 1;
      }
      args.unshift('-' + f);
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (const [i, f] of [...a.slice(1)].entries()) {
        if (f === 'f' || f === 'A') {
          // -f FAMILY / -A QUERY: the value is the rest of the word or the next one.
          const v = a.slice(i + 2) || args.shift() || '';
          const e = f === 'f' ? ssFamily(v) : ssQuery(v);
          if (e) {
            err(p, `ss: "${v}" is ${e}\n${SS_USAGE}`);
            return 255;
          }
          if (f === 'A' && /(^|,)tcp(,|$)/.test(v)) tcp = true;
          if (f === 'A' && /(^|,)udp(,|$)/.test(v)) udp = true;
          break;
        }
        if (f === 'Z' || f === 'z') {
          err(p, 'ss: SELinux is not enabled.\n'); // as on a host without SELinux
          return 1;
        }
        if (f === 'u') udp = true;
        else if (f === 't') tcp = true;
        else if (f === 'a') all = true;
        else if (f === 'l') listening = true;
        else if (f === 'n') numeric = true;
        else if (f === 'i') info = true;
        else if (f === 'm') mem = true;
        else if (f === 'o') options = true;
        else if (f === 'e') options = true;
        else if (f === 'H') header = false;
        else if (f === '4' || f === 'p' || f === 'r') continue;
        else {
          err(p, `ss: invalid option -- '${f}'\n`);
          return 1;
        }
      }
      continue;
    }
    // getopt_long permutes: the words are the filter, read after the options.
    words.push(a);
  }
  // STATE-FILTER words come first (main's loop), the rest is the expression.
  while (words.length && (words[0] === 'state' || words[0] === 'exclude' || words[0] === 'excl')) {
    const a = words.shift()!;
    const name = words.shift() ?? '';
    const m = STATE_FILTERS[name];
    if (m === undefined) {
      err(p, `ss: wrong state name: ${name}\n`);
      return 255;
    }
    if (a === 'state') states = (states ?? 0) | m;
    else states = (states ?? SS_ALL) & ~m;
  }
  let filter: FNode | null = null;
  if (words.length) {
    try {
      filter = parseFilter(p, words, { tcp: tcp || !udp, udp: udp || !tcp });
    } catch (e) {
      if (!(e instanceof FilterError)) throw e;
      err(p, e.text);
      return e.status;
    }
  }
  if (!udp && !tcp) tcp = true;
  if (states === null) states = all ? SS_ALL : listening ? (1 << SS_LISTEN) | (1 << SS_CLOSE) : SS_CONN;
  const rows: Row[] = [];
  const now = net.now();
  // autobound: a local port from ip_local_port_range (SSF_S_AUTO).
  const [lo, hi] = inet_get_local_port_range(net);
  const match = (sk: Sock | AnyTcpSock, laddr: number, lport: number, raddr: number, rport: number) =>
    !filter || runFilter(filter, { laddr, lport, raddr, rport, iface: 'bound_dev_if' in sk ? sk.bound_dev_if : 0, autobound: lport >= lo && lport <= hi });
  if (tcp) {
    for (const sk of inet_diag_all(net)) {
      let state: number;
      let laddr: number, lport: number, raddr: number, rport: number, rq = 0, wq = 0;
      if (sk instanceof RequestSock) {
        state = SS_SYN_RECV;
        laddr = sk.loc_addr;
        lport = sk.loc_port;
        raddr = sk.rmt_addr;
        rport = sk.rmt_port;
      } else if (sk instanceof TimewaitSock) {
        state = sk.substate === 'FIN_WAIT2' ? SS_FIN_WAIT2 : SS_TIME_WAIT;
        laddr = sk.rcv_saddr;
        lport = sk.num;
        raddr = sk.daddr;
        rport = sk.dport;
      } else {
        state = STATE_BY_KERNEL[sk.state] ?? 0;
        laddr = sk.rcv_saddr;
        lport = sk.num;
        raddr = sk.daddr;
        rport = sk.dport;
        if (sk.state === 'LISTEN') {
          rq = sk.ack_backlog;
          wq = sk.max_ack_backlog;
        } else {
          rq = Math.max(0, (sk.rcv_nxt - sk.copied_seq) | 0);
          wq = (sk.write_seq - sk.snd_una) >>> 0;
        }
      }
      if (!(states & (1 << state))) continue;
      if (!match(sk, laddr, lport, raddr, rport)) continue;
      let detail: string | null = null;
      if (info || mem) {
        detail = '';
        if (sk instanceof TcpSock) {
          const ti = tcp_get_info(sk);
          if (mem) detail += ` skmem:(r${ti.rmem_alloc},rb${ti.rcvbuf},t${ti.wmem_alloc},tb${ti.sndbuf},f${sk.forward_alloc},w${ti.wmem_queued},o0,bl0,d${ti.drops})`;
          if (info) detail += tcp_stats_print(ti, numeric, options);
        }
      }
      rows.push({ netid: 'tcp', state, rq, wq, laddr, lport, raddr, rport, ext: options ? tcp_timer(sk, now) : '', detail });
    }
  }
  if (udp)
    for (const sk of net.socks.udp as Sock[]) {
      const state = sk.state === 'ESTABLISHED' ? SS_ESTABLISHED : SS_CLOSE;
      const ok = listening && !all ? state === SS_CLOSE : all || states !== SS_CONN ? (states & (1 << state)) !== 0 : state === SS_ESTABLISHED;
      if (!ok || !match(sk, sk.rcv_saddr, sk.num, sk.daddr, sk.dport)) continue;
      // Recv-Q of a UDP socket is udp_rqueue_get: memory not yet given back by reads excluded.
      const rq = sk.rmem_alloc - sk.forward_deficit;
      rows.push({ netid: 'udp', state, rq, wq: sk.wmem_alloc, laddr: sk.rcv_saddr, lport: sk.num, raddr: sk.daddr, rport: sk.dport, ext: '', detail: mem ? ` skmem:(r${sk.rmem_alloc},rb${sk.rcvbuf},t${sk.wmem_alloc},tb${sk.sndbuf},f${sk.forward_alloc},w0,o0,bl0,d${sk.drops})` : null });
    }
  render(p, rows, { netid: tcp && udp, state: states !== null && (states & (states - 1)) !== 0, numeric, header });
  return 0;
}

/** The column layout of ss's render(): widths from the widest field; address
 * columns right-aligned, ports left-aligned and directly after them. */
function render(p: Proc, rows: Row[], opt: { netid: boolean; state: boolean; numeric: boolean; header: boolean }): void {
  const port = (n: number, proto: string, peer: boolean) => (peer && n === 0 ? '*' : opt.numeric ? String(n) : (getservbyport(n, proto) ?? String(n)));
  const addr = (a: number, peer: boolean, listenerPeer: boolean) => (listenerPeer && peer && a === 0 ? '0.0.0.0' : a ? formatIPv4(a) : '0.0.0.0');
  type Cols = [string, string, string, string, string, string, string, string];
  const cells: Cols[] = rows.map((r) => [r.netid, SS_NAMES[r.state], String(r.rq), String(r.wq), addr(r.laddr, false, false) + ':', port(r.lport, r.netid, false), addr(r.raddr, true, true) + ':', port(r.rport, r.netid, true)]);
  const hdr: Cols = ['Netid', 'State', 'Recv-Q', 'Send-Q', 'Local Address:', 'Port', 'Peer Address:', 'Port'];
  const w = hdr.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const enabled = [opt.netid, opt.state, true, true, true, true, true, true];
  const right = [false, false, false, false, true, false, true, false];
  const delim = ['', ' ', ' ', ' ', ' ', '', ' ', ''];
  const line = (c: Cols, last: string) => {
    let s = '';
    let first = true;
    for (let i = 0; i < 8; i++) {
      if (!enabled[i]) continue;
      if (!first) s += delim[i];
      first = false;
      s += right[i] ? c[i].padStart(w[i]) : c[i].padEnd(w[i]);
    }
    return s + last;
  };
  if (opt.header) out(p, line(hdr, 'Process') + '\n');
  rows.forEach((r, i) => {
    out(p, line(cells[i], r.ext) + '\n');
    if (r.detail !== null) out(p, '\t' + r.detail + '\n');
  });
}
