// The user-space halves of iptables' extensions (libxt_*.c, libipt_*.c):
// option parsing into the kernel's data, and the -L (print) and -S (save)
// renderings of matches and targets, as iptables 1.8.9 prints them.
import { formatIPv4, parseIPv4 } from '../../net/wire/ip.js';
import { getservbyport, getservbyname } from './netdb.js';
import type { XtTcpUdp, IptIcmp, XtMultiport, XtConntrack } from '../../net/netfilter/xt_match.js';
import { XT_TCP_INV_SRCPT, XT_TCP_INV_DSTPT, XT_TCP_INV_FLAGS, XT_STATE_INVALID, XT_STATE_NEW, XT_STATE_RELATED, XT_STATE_ESTABLISHED, XT_STATE_UNTRACKED, XT_CONNTRACK_STATE_SNAT, XT_CONNTRACK_STATE_DNAT } from '../../net/netfilter/xt_match.js';
import { REJECT_TYPES } from '../../net/netfilter/xt_target.js';
import { type NfNatRange, NF_NAT_RANGE_MAP_IPS, NF_NAT_RANGE_PROTO_SPECIFIED, NF_NAT_RANGE_PROTO_RANDOM, NF_NAT_RANGE_PERSISTENT, NF_NAT_RANGE_PROTO_RANDOM_FULLY } from '../../net/netfilter/nf_nat_core.js';

/** xtables_error(PARAMETER_PROBLEM, ...). */
export class ParamProblem extends Error {}

export interface ExtCtx {
  /** The rule's -p, for port names and checks. */
  proto: number;
  /** Which of the extension's options were given (for final_check). */
  seen: Set<string>;
}

export interface Extension {
  name: string;
  /** option -> takes an argument. */
  opts: Record<string, boolean>;
  init(): any;
  parse(opt: string, val: string | undefined, invert: boolean, data: any, ctx: ExtCtx): void;
  final?(data: any, ctx: ExtCtx): void;
  print(data: any, numeric: boolean, proto: number): string;
  save(data: any, proto: number): string;
}

const PROTO_NAME: Record<number, string> = { 6: 'tcp', 17: 'udp' };

function parse_port(s: string, proto: number): number {
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    if (n <= 65535 || true) return n & 0xffff;
  }
  const p = getservbyname(s, PROTO_NAME[proto] ?? 'tcp');
  if (p === null) throw new ParamProblem(`invalid port/service \`${s}' specified`);
  return p;
}

function parse_ports(s: string, proto: number): [number, number] {
  const i = s.indexOf(':');
  if (i < 0) {
    const p = parse_port(s, proto);
    return [p, p];
  }
  const a = s.slice(0, i) ? parse_port(s.slice(0, i), proto) : 0;
  const b = s.slice(i + 1) ? parse_port(s.slice(i + 1), proto) : 0xffff;
  if (a > b) throw new ParamProblem('invalid portrange specified');
  return [a, b];
}

function port_str(p: number, numeric: boolean, proto: string): string {
  return (!numeric && getservbyport(p, proto)) || String(p);
}

function print_ports(name: string, [min, max]: [number, number], invert: boolean, numeric: boolean, proto: string): string {
  if (min === 0 && max === 0xffff && !invert) return '';
  const inv = invert ? '!' : '';
  if (min === max) return ` ${name}:${inv}${port_str(min, numeric, proto)}`;
  return ` ${name}s:${inv}${port_str(min, numeric, proto)}:${port_str(max, numeric, proto)}`;
}

function save_ports(opt: string, [min, max]: [number, number], invert: boolean): string {
  if (min === 0 && max === 0xffff) return '';
  return `${invert ? ' !' : ''} --${opt} ${min === max ? min : `${min}:${max}`}`;
}

const TCP_FLAG_NAMES: [string, number][] = [['FIN', 0x01], ['SYN', 0x02], ['RST', 0x04], ['PSH', 0x08], ['ACK', 0x10], ['URG', 0x20], ['ALL', 0x3f], ['NONE', 0]];

function parse_tcp_flags(s: string): number {
  let v = 0;
  for (const f of s.split(',')) {
    const e = TCP_FLAG_NAMES.find(([n]) => n === f.toUpperCase());
    if (!e) throw new ParamProblem(`Unknown TCP flag \`${f}'`);
    v |= e[1];
  }
  return v;
}

function print_tcpf(flags: number): string {
  const names: string[] = [];
  while (flags) {
    const e = TCP_FLAG_NAMES.find(([, f]) => flags & f)!;
    names.push(e[0]);
    flags &= ~e[1];
  }
  return names.length ? names.join(',') : 'NONE';
}

function tcpudp(name: 'tcp' | 'udp'): Extension {
  const opts: Record<string, boolean> = { '--sport': true, '--source-port': true, '--dport': true, '--destination-port': true };
  if (name === 'tcp') Object.assign(opts, { '--tcp-flags': true, '--syn': false });
  return {
    name,
    opts,
    init: (): XtTcpUdp => ({ spts: [0, 0xffff], dpts: [0, 0xffff], invflags: 0 }),
    parse(opt, val, invert, d: XtTcpUdp) {
      const proto = name === 'tcp' ? 6 : 17;
      if (opt === '--sport' || opt === '--source-port') {
        d.spts = parse_ports(val!, proto);
        if (invert) d.invflags |= XT_TCP_INV_SRCPT;
      } else if (opt === '--dport' || opt === '--destination-port') {
        d.dpts = parse_ports(val!, proto);
        if (invert) d.invflags |= XT_TCP_INV_DSTPT;
      } else if (opt === '--syn') {
        d.flg_mask = 0x17;
        d.flg_cmp = 0x02;
        if (invert) d.invflags |= XT_TCP_INV_FLAGS;
      } else if (opt === '--tcp-flags') {
        // Two arguments, joined by the parser: mask and comp.
        const [mask, cmp] = val!.split(' ');
        d.flg_mask = parse_tcp_flags(mask);
        d.flg_cmp = parse_tcp_flags(cmp);
        if (invert) d.invflags |= XT_TCP_INV_FLAGS;
      }
    },
    print(d: XtTcpUdp, numeric) {
      let s = ` ${name}`;
      s += print_ports('spt', d.spts, !!(d.invflags & XT_TCP_INV_SRCPT), numeric, name);
      s += print_ports('dpt', d.dpts, !!(d.invflags & XT_TCP_INV_DSTPT), numeric, name);
      if (d.flg_mask !== undefined && (d.flg_mask || d.invflags & XT_TCP_INV_FLAGS)) {
        s += ` flags:${d.invflags & XT_TCP_INV_FLAGS ? '!' : ''}`;
        s += numeric ? `0x${hex2(d.flg_mask)}/0x${hex2(d.flg_cmp!)}` : `${print_tcpf(d.flg_mask)}/${print_tcpf(d.flg_cmp!)}`;
      }
      return s;
    },
    save(d: XtTcpUdp) {
      let s = save_ports('sport', d.spts, !!(d.invflags & XT_TCP_INV_SRCPT)) + save_ports('dport', d.dpts, !!(d.invflags & XT_TCP_INV_DSTPT));
      if (d.flg_mask !== undefined && (d.flg_mask || d.invflags & XT_TCP_INV_FLAGS)) {
        s += `${d.invflags & XT_TCP_INV_FLAGS ? ' !' : ''} --tcp-flags ${print_tcpf(d.flg_mask)} ${print_tcpf(d.flg_cmp!)}`;
      }
      return s;
    },
  };
}

const hex2 = (n: number) => n.toString(16).toUpperCase().padStart(2, '0');

/** icmp_codes (libiptc's xt_icmp_names). */
const ICMP_CODES: [string, number, number, number][] = [
  ['any', 0xff, 0, 0xff],
  ['echo-reply', 0, 0, 0xff],
  ['pong', 0, 0, 0xff],
  ['destination-unreachable', 3, 0, 0xff],
  ['network-unreachable', 3, 0, 0],
  ['host-unreachable', 3, 1, 1],
  ['protocol-unreachable', 3, 2, 2],
  ['port-unreachable', 3, 3, 3],
  ['fragmentation-needed', 3, 4, 4],
  ['source-route-failed', 3, 5, 5],
  ['network-unknown', 3, 6, 6],
  ['host-unknown', 3, 7, 7],
  ['network-prohibited', 3, 9, 9],
  ['host-prohibited', 3, 10, 10],
  ['TOS-network-unreachable', 3, 11, 11],
  ['TOS-host-unreachable', 3, 12, 12],
  ['communication-prohibited', 3, 13, 13],
  ['host-precedence-violation', 3, 14, 14],
  ['precedence-cutoff', 3, 15, 15],
  ['source-quench', 4, 0, 0xff],
  ['redirect', 5, 0, 0xff],
  ['network-redirect', 5, 0, 0],
  ['host-redirect', 5, 1, 1],
  ['TOS-network-redirect', 5, 2, 2],
  ['TOS-host-redirect', 5, 3, 3],
  ['echo-request', 8, 0, 0xff],
  ['ping', 8, 0, 0xff],
  ['router-advertisement', 9, 0, 0xff],
  ['router-solicitation', 10, 0, 0xff],
  ['time-exceeded', 11, 0, 0xff],
  ['ttl-exceeded', 11, 0, 0xff],
  ['ttl-zero-during-transit', 11, 0, 0],
  ['ttl-zero-during-reassembly', 11, 1, 1],
  ['parameter-problem', 12, 0, 0xff],
  ['ip-header-bad', 12, 0, 0],
  ['required-option-missing', 12, 1, 1],
  ['timestamp-request', 13, 0, 0xff],
  ['timestamp-reply', 14, 0, 0xff],
  ['address-mask-request', 17, 0, 0xff],
  ['address-mask-reply', 18, 0, 0xff],
];

const icmp: Extension = {
  name: 'icmp',
  opts: { '--icmp-type': true },
  init: (): IptIcmp => ({ type: 0xff, code: [0, 0xff], invert: false }),
  parse(_opt, val, invert, d: IptIcmp) {
    const s = val!;
    const named = ICMP_CODES.filter(([n]) => n.toLowerCase().startsWith(s.toLowerCase()));
    const exact = named.find(([n]) => n.toLowerCase() === s.toLowerCase());
    if (exact || named.length === 1) {
      const e = exact ?? named[0];
      d.type = e[1];
      d.code = [e[2], e[3]];
    } else if (named.length > 1) {
      throw new ParamProblem(`Ambiguous ICMP type \`${s}': \`${named[0][0]}' or \`${named[1][0]}'?`);
    } else {
      const m = /^(\d+)(?:\/(\d+))?$/.exec(s);
      if (!m || Number(m[1]) > 255 || (m[2] && Number(m[2]) > 255)) throw new ParamProblem(`Invalid ICMP type \`${s}'\n`);
      d.type = Number(m[1]);
      d.code = m[2] !== undefined ? [Number(m[2]), Number(m[2])] : [0, 0xff];
    }
    d.invert = invert;
  },
  print(d: IptIcmp, numeric) {
    let s = ' icmp';
    if (!numeric) {
      const e = ICMP_CODES.find(([, t, a, b]) => t === d.type && a === d.code[0] && b === d.code[1]);
      if (e) return `${s} ${d.invert ? '!' : ''}${e[0]}`;
    }
    if (d.invert) s += ' !';
    s += `type ${d.type}`;
    if (d.code[0] === d.code[1]) s += ` code ${d.code[0]}`;
    else if (d.code[0] !== 0 || d.code[1] !== 0xff) s += ` codes ${d.code[0]}-${d.code[1]}`;
    return s;
  },
  save(d: IptIcmp) {
    let s = d.invert ? ' !' : '';
    if (d.type === 0xff) return `${s} --icmp-type any`;
    s += ` --icmp-type ${d.type}`;
    if (d.code[0] !== 0 || d.code[1] !== 0xff) s += `/${d.code[0]}`;
    return s;
  },
};

const STATES: [string, number][] = [
  ['INVALID', XT_STATE_INVALID],
  ['NEW', XT_STATE_NEW],
  ['RELATED', XT_STATE_RELATED],
  ['ESTABLISHED', XT_STATE_ESTABLISHED],
  ['UNTRACKED', XT_STATE_UNTRACKED],
  ['SNAT', XT_CONNTRACK_STATE_SNAT],
  ['DNAT', XT_CONNTRACK_STATE_DNAT],
];

function parse_states(s: string, what: string, withNat: boolean): number {
  let m = 0;
  for (const w of s.split(',')) {
    const e = STATES.find(([n]) => n === w.toUpperCase());
    if (!e || (!withNat && e[1] > XT_STATE_UNTRACKED)) throw new ParamProblem(`Bad ${what} "${w}"`);
    m |= e[1];
  }
  return m;
}

const state_names = (m: number) => STATES.filter(([, b]) => m & b).map(([n]) => n).join(',');

const conntrack: Extension = {
  name: 'conntrack',
  opts: { '--ctstate': true },
  init: (): XtConntrack => ({ state_mask: 0, invert: false }),
  parse(_opt, val, invert, d: XtConntrack) {
    d.state_mask = parse_states(val!, 'ctstate', true);
    d.invert = invert;
  },
  final(_d, ctx) {
    if (!ctx.seen.size) throw new ParamProblem('You must specify one or more options');
  },
  print: (d: XtConntrack) => `${d.invert ? ' !' : ''} ctstate ${state_names(d.state_mask)}`,
  save: (d: XtConntrack) => `${d.invert ? ' !' : ''} --ctstate ${state_names(d.state_mask)}`,
};

const state: Extension = {
  name: 'state',
  opts: { '--state': true },
  init: (): XtConntrack => ({ state_mask: 0, invert: false }),
  parse(_opt, val, invert, d: XtConntrack) {
    d.state_mask = parse_states(val!, 'state', false);
    d.invert = invert;
  },
  final(_d, ctx) {
    if (!ctx.seen.size) throw new ParamProblem('state match: You must specify "--state"');
  },
  print: (d: XtConntrack) => `${d.invert ? ' !' : ''} state ${state_names(d.state_mask)}`,
  save: (d: XtConntrack) => `${d.invert ? ' !' : ''} --state ${state_names(d.state_mask)}`,
};

const multiport: Extension = {
  name: 'multiport',
  opts: { '--sports': true, '--source-ports': true, '--dports': true, '--destination-ports': true, '--ports': true },
  init: (): XtMultiport => ({ flags: 0, ports: [], invert: false }),
  parse(opt, val, invert, d: XtMultiport, ctx) {
    if (ctx.proto !== 6 && ctx.proto !== 17) throw new ParamProblem('multiport needs `-p tcp\', `-p udp\', `-p udplite\', `-p sctp\' or `-p dccp\'');
    d.flags = opt.startsWith('--s') ? 1 : opt.startsWith('--d') ? 2 : 3;
    d.ports = val!.split(',').map((p) => parse_ports(p, ctx.proto));
    d.invert = invert;
  },
  print(d: XtMultiport, numeric, proto) {
    const kind = d.flags === 1 ? 'sports' : d.flags === 2 ? 'dports' : 'ports';
    const pn = PROTO_NAME[proto] ?? 'tcp';
    const ps = d.ports.map(([a, b]) => (a === b ? port_str(a, numeric, pn) : `${port_str(a, numeric, pn)}:${port_str(b, numeric, pn)}`)).join(',');
    return ` multiport ${kind} ${d.invert ? '! ' : ''}${ps}`;
  },
  save(d: XtMultiport) {
    const kind = d.flags === 1 ? 'sports' : d.flags === 2 ? 'dports' : 'ports';
    return `${d.invert ? ' !' : ''} --${kind} ${d.ports.map(([a, b]) => (a === b ? `${a}` : `${a}:${b}`)).join(',')}`;
  },
};

const comment: Extension = {
  name: 'comment',
  opts: { '--comment': true },
  init: () => ({ comment: '' }),
  parse(_opt, val, _inv, d) {
    if (val!.length > 255) throw new ParamProblem(`COMMENT must be shorter than 256 characters`);
    d.comment = val!;
  },
  print: (d) => ` /* ${d.comment} */`,
  save: (d) => ` --comment ${quote(d.comment)}`,
};

/** xtables_save_string: quote when it has spaces or quotes. */
function quote(s: string): string {
  if (/^[^\s"'\\]+$/.test(s) && s !== '') return s;
  return `"${s.replace(/(["\\])/g, '\\$1')}"`;
}

export const MATCHES: Record<string, Extension> = { tcp: tcpudp('tcp'), udp: tcpudp('udp'), icmp, conntrack, state, multiport, comment };

// ---- targets -----------------------------------------------------------------------

const REJECT: Extension = {
  name: 'REJECT',
  opts: { '--reject-with': true },
  init: () => ({ with: 'icmp-port-unreachable' }),
  parse(_o, val, _i, d) {
    const v = val!;
    const aliases: Record<string, string> = { 'icmp-net-unreachable': 'icmp-net-unreachable', 'net-unreach': 'icmp-net-unreachable', 'icmp-host-unreachable': 'icmp-host-unreachable', 'host-unreach': 'icmp-host-unreachable', 'icmp-proto-unreachable': 'icmp-prot-unreachable', 'icmp-prot-unreachable': 'icmp-prot-unreachable', 'proto-unreach': 'icmp-prot-unreachable', 'icmp-port-unreachable': 'icmp-port-unreachable', 'port-unreach': 'icmp-port-unreachable', 'icmp-net-prohibited': 'icmp-net-prohibited', 'net-prohib': 'icmp-net-prohibited', 'icmp-host-prohibited': 'icmp-host-prohibited', 'host-prohib': 'icmp-host-prohibited', 'tcp-reset': 'tcp-reset', 'tcp-rst': 'tcp-reset', 'icmp-admin-prohibited': 'icmp-admin-prohibited', 'admin-prohib': 'icmp-admin-prohibited' };
    const w = aliases[v];
    if (!w || !REJECT_TYPES.some(([n]) => n === w)) throw new ParamProblem(`unknown reject type "${v}"`);
    d.with = w;
  },
  print: (d) => ` reject-with ${d.with}`,
  save: (d) => ` --reject-with ${d.with}`,
};

const LOG_LEVELS: [string, number][] = [['emerg', 0], ['alert', 1], ['crit', 2], ['err', 3], ['warn', 4], ['notice', 5], ['info', 6], ['debug', 7]];
const LOG_LEVEL_ALIASES: Record<string, number> = { emerg: 0, panic: 0, alert: 1, crit: 2, err: 3, error: 3, warn: 4, warning: 4, notice: 5, info: 6, debug: 7 };
const LOG_FLAGS: [string, number, string][] = [['--log-tcp-sequence', 1, 'tcp-sequence'], ['--log-tcp-options', 2, 'tcp-options'], ['--log-ip-options', 4, 'ip-options'], ['--log-uid', 8, 'uid'], ['--log-macdecode', 0x20, 'macdecode']];

const LOG: Extension = {
  name: 'LOG',
  opts: { '--log-level': true, '--log-prefix': true, '--log-tcp-sequence': false, '--log-tcp-options': false, '--log-ip-options': false, '--log-uid': false, '--log-macdecode': false },
  init: () => ({ level: 4, logflags: 0, prefix: '' }),
  parse(opt, val, _i, d) {
    if (opt === '--log-level') {
      const v = val!;
      const n = /^\d+$/.test(v) ? Number(v) : LOG_LEVEL_ALIASES[v.toLowerCase()];
      if (n === undefined || n > 7) throw new ParamProblem(`log-level \`${v}' unknown`);
      d.level = n;
    } else if (opt === '--log-prefix') {
      if (val!.length > 29) throw new ParamProblem(`Maximum prefix length 29 for --log-prefix`);
      d.prefix = val!;
    } else {
      d.logflags |= LOG_FLAGS.find(([o]) => o === opt)![1];
    }
  },
  print(d, numeric) {
    let s = ' LOG';
    if (numeric) s += ` flags ${d.logflags} level ${d.level}`;
    else {
      s += ` level ${LOG_LEVELS.find(([, l]) => l === d.level)?.[0] ?? `UNKNOWN level ${d.level}`}`;
      for (const [, bit, name] of LOG_FLAGS) if (d.logflags & bit) s += ` ${name}`;
    }
    if (d.prefix) s += ` prefix "${d.prefix}"`;
    return s;
  },
  save(d) {
    let s = '';
    if (d.prefix) s += ` --log-prefix ${quote(d.prefix)}`;
    if (d.level !== 4) s += ` --log-level ${d.level}`;
    for (const [opt, bit] of LOG_FLAGS) if (d.logflags & bit) s += ` ${opt}`;
    return s;
  },
};

function parse_nat_range(arg: string, what: string, portsOk: boolean): NfNatRange {
  const r: NfNatRange = { flags: NF_NAT_RANGE_MAP_IPS, minIp: 0, maxIp: 0, minProto: 0, maxProto: 0 };
  let ips = arg;
  const colon = arg.indexOf(':');
  if (colon >= 0) {
    if (!portsOk) throw new ParamProblem('Need TCP, UDP, SCTP or DCCP with port specification');
    ips = arg.slice(0, colon);
    const ps = arg.slice(colon + 1);
    const m = /^(\d+)(?:-(\d+))?$/.exec(ps);
    if (!m) throw new ParamProblem(`Port \`${ps}' not valid\n`);
    r.flags |= NF_NAT_RANGE_PROTO_SPECIFIED;
    r.minProto = Number(m[1]);
    r.maxProto = m[2] !== undefined ? Number(m[2]) : r.minProto;
    if (r.maxProto < r.minProto) throw new ParamProblem(`Port range \`${ps}' is invalid\n`);
  }
  if (!ips) {
    r.flags &= ~NF_NAT_RANGE_MAP_IPS;
    return r;
  }
  const [a, b] = ips.split('-');
  const lo = parseIPv4(a);
  const hi = b !== undefined ? parseIPv4(b) : lo;
  if (lo === null) throw new ParamProblem(`Bad IP address "${a}"\n`);
  if (hi === null) throw new ParamProblem(`Bad IP address "${b}"\n`);
  r.minIp = lo;
  r.maxIp = hi;
  void what;
  return r;
}

function print_range(r: NfNatRange): string {
  let s = '';
  if (r.flags & NF_NAT_RANGE_MAP_IPS) {
    s += formatIPv4(r.minIp);
    if (r.maxIp !== r.minIp) s += `-${formatIPv4(r.maxIp)}`;
  }
  if (r.flags & NF_NAT_RANGE_PROTO_SPECIFIED) {
    s += `:${r.minProto}`;
    if (r.maxProto !== r.minProto) s += `-${r.maxProto}`;
  }
  return s;
}

function nat_flags(r: NfNatRange, save: boolean): string {
  let s = '';
  if (r.flags & NF_NAT_RANGE_PROTO_RANDOM) s += save ? ' --random' : ' random';
  if (r.flags & NF_NAT_RANGE_PROTO_RANDOM_FULLY) s += save ? ' --random-fully' : ' random-fully';
  if (r.flags & NF_NAT_RANGE_PERSISTENT) s += save ? ' --persistent' : ' persistent';
  return s;
}

function natTarget(name: 'SNAT' | 'DNAT'): Extension {
  const long = name === 'SNAT' ? '--to-source' : '--to-destination';
  return {
    name,
    opts: { [long]: true, '--to': true, '--random': false, '--random-fully': false, '--persistent': false },
    init: () => ({ range: null as NfNatRange | null, extra: 0 }),
    parse(opt, val, _i, d, ctx) {
      if (opt === '--random') d.extra |= NF_NAT_RANGE_PROTO_RANDOM;
      else if (opt === '--random-fully') d.extra |= NF_NAT_RANGE_PROTO_RANDOM_FULLY;
      else if (opt === '--persistent') d.extra |= NF_NAT_RANGE_PERSISTENT;
      else d.range = parse_nat_range(val!, name, [6, 17, 132, 33].includes(ctx.proto));
    },
    final(d) {
      if (!d.range) throw new ParamProblem(`${name}: option "${long}" must be specified\n`);
      d.range.flags |= d.extra;
    },
    print: (d) => ` to:${print_range(d.range)}${nat_flags(d.range, false)}`,
    save: (d) => ` ${long} ${print_range(d.range)}${nat_flags(d.range, true)}`,
  };
}

const MASQUERADE: Extension = {
  name: 'MASQUERADE',
  opts: { '--to-ports': true, '--random': false, '--random-fully': false },
  init: () => ({ range: { flags: 0, minIp: 0, maxIp: 0, minProto: 0, maxProto: 0 } as NfNatRange }),
  parse(opt, val, _i, d, ctx) {
    if (opt === '--random') d.range.flags |= NF_NAT_RANGE_PROTO_RANDOM;
    else if (opt === '--random-fully') d.range.flags |= NF_NAT_RANGE_PROTO_RANDOM_FULLY;
    else {
      if (![6, 17, 132, 33].includes(ctx.proto)) throw new ParamProblem('Need TCP, UDP, SCTP or DCCP with port specification');
      const m = /^(\d+)(?:-(\d+))?$/.exec(val!);
      if (!m) throw new ParamProblem(`Port \`${val}' not valid\n`);
      d.range.flags |= NF_NAT_RANGE_PROTO_SPECIFIED;
      d.range.minProto = Number(m[1]);
      d.range.maxProto = m[2] !== undefined ? Number(m[2]) : d.range.minProto;
    }
  },
  print(d) {
    const r: NfNatRange = d.range;
    let s = '';
    if (r.flags & NF_NAT_RANGE_PROTO_SPECIFIED) s += ` masq ports: ${r.minProto}${r.maxProto !== r.minProto ? `-${r.maxProto}` : ''}`;
    return s + nat_flags(r, false);
  },
  save(d) {
    const r: NfNatRange = d.range;
    let s = '';
    if (r.flags & NF_NAT_RANGE_PROTO_SPECIFIED) s += ` --to-ports ${r.minProto}${r.maxProto !== r.minProto ? `-${r.maxProto}` : ''}`;
    return s + nat_flags(r, true);
  },
};

export const TARGETS: Record<string, Extension> = { REJECT, LOG, SNAT: natTarget('SNAT'), DNAT: natTarget('DNAT'), MASQUERADE };
