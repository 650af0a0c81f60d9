// iptables 1.8.9 (nf_tables backend, as Debian ships it): parse a command
// line as xshared.c's do_parse does, change the kernel's tables through
// x_tables, and list them (-L, -S) byte for byte as iptables prints them.
// iptables-save is the same listing in save format.
import type { Proc, ProgramGen } from '../process.js';
import type { Net } from '../../net/net_namespace.js';
import { kernel, out, err } from './util.js';
import { formatIPv4, parseIPv4, inet_make_mask } from '../../net/wire/ip.js';
import '../../net/netfilter/init.js';
import {
  type XtTable,
  type XtChain,
  type IptEntry,
  type IptIp,
  XT_TABLES,
  xt_find_table,
  xt_find_chain,
  xt_chain_refs,
  xt_check_entry,
  xt_insert_rule,
  xt_delete_rule,
  xt_targets,
  IPT_INV_VIA_IN,
  IPT_INV_VIA_OUT,
  IPT_INV_SRCIP,
  IPT_INV_DSTIP,
  IPT_INV_FRAG,
  XT_INV_PROTO,
} from '../../net/netfilter/x_tables.js';
import { getprotobynumber, getprotobyname } from './netdb.js';
import { MATCHES, TARGETS, ParamProblem, type Extension, type ExtCtx } from './iptables_ext.js';

const PROG = 'iptables';
const VERSION = '1.8.9';

// xshared.h format flags
const FMT_NUMERIC = 0x0001;
const FMT_NOCOUNTS = 0x0002;
const FMT_KILOMEGAGIGA = 0x0004;
const FMT_OPTIONS = 0x0008;
const FMT_NOTABLE = 0x0010;
const FMT_VIA = 0x0040;
const FMT_LINENUMBERS = 0x0100;

/** Exit codes: OTHER_PROBLEM 1, PARAMETER_PROBLEM 2, VERSION_PROBLEM 3, RESOURCE_PROBLEM 4. */
class XtError extends Error {
  constructor(
    msg: string,
    readonly status: number,
  ) {
    super(msg);
  }
}

/** xtables_error(PARAMETER_PROBLEM, ...): the version line and the hint. */
function paramProblem(msg: string): XtError {
  return new XtError(`${PROG} v${VERSION} (nf_tables): ${msg}\nTry \`${PROG} -h' or '${PROG} --help' for more information.\n`, 2);
}

/** A kernel refusal as nft reports it. */
function nftFail(what: string, errno: string, obj: string): XtError {
  const text: Record<string, string> = { EINVAL: 'Invalid argument', EBUSY: 'Device or resource busy', ENOENT: 'No such file or directory', EEXIST: 'File exists' };
  return new XtError(`${PROG} v${VERSION} (nf_tables):  ${what} failed (${text[errno] ?? errno}): ${obj}\n`, 4);
}

const plain = (msg: string, status = 1) => new XtError(`${PROG}: ${msg}\n`, status);

type Cmd = 'A' | 'C' | 'D' | 'I' | 'R' | 'L' | 'S' | 'F' | 'Z' | 'N' | 'X' | 'P' | 'E' | 'h' | 'V';

const LONG: Record<string, string> = {
  '--append': 'A', '--check': 'C', '--delete': 'D', '--insert': 'I', '--replace': 'R', '--list': 'L', '--list-rules': 'S',
  '--flush': 'F', '--zero': 'Z', '--new-chain': 'N', '--delete-chain': 'X', '--rename-chain': 'E', '--policy': 'P',
  '--protocol': 'p', '--source': 's', '--src': 's', '--destination': 'd', '--dst': 'd', '--in-interface': 'i',
  '--out-interface': 'o', '--jump': 'j', '--goto': 'g', '--match': 'm', '--fragment': 'f', '--verbose': 'v',
  '--numeric': 'n', '--exact': 'x', '--table': 't', '--wait': 'w', '--wait-interval': 'W', '--version': 'V',
  '--help': 'h', '--ipv4': '4', '--set-counters': 'c', '--line-numbers': '#',
};

const WITH_ARG = new Set(['A', 'C', 'D', 'I', 'R', 'N', 'P', 'E', 'p', 's', 'd', 'i', 'o', 'j', 'g', 'm', 't', 'c']);
const OPTIONAL_ARG = new Set(['L', 'S', 'F', 'Z', 'X', 'w', 'W', 'h']);

interface LoadedExt {
  ext: Extension;
  data: any;
  ctx: ExtCtx;
}

interface Parsed {
  table: string;
  cmd: Cmd | null;
  chain: string | null;
  rulenum: number;
  arg2: string | null;
  verbose: boolean;
  numeric: boolean;
  exact: boolean;
  lineNumbers: boolean;
  ip: IptIp;
  options: Set<string>;
  protoName: string | null;
  matches: LoadedExt[];
  target: LoadedExt | null;
  jumpto: string;
  goto: boolean;
  /** -L -Z: list, then zero. */
  zeroAfter: boolean;
}

function parse_iface(s: string): string {
  if (s.length > 15) throw paramProblem(`interface name \`${s}' must be shorter than IFNAMSIZ (15)`);
  return s;
}

/** xtables_ipparse_any for one address[/mask]. */
function parse_addr(s: string): { addr: number; mask: number } {
  const [a, m] = s.split('/');
  let addr = parseIPv4(a);
  if (addr === null && a === 'localhost') addr = 0x7f000001;
  if (addr === null && /^\d+(\.\d+){0,2}$/.test(a)) addr = null;
  if (addr === null) throw paramProblem(`host/network \`${a}' not found`);
  let mask = 0xffffffff;
  if (m !== undefined) {
    if (/^\d+$/.test(m)) {
      if (Number(m) > 32) throw paramProblem(`invalid mask \`${m}' specified`);
      mask = inet_make_mask(Number(m));
    } else {
      const mm = parseIPv4(m);
      if (mm === null) throw paramProblem(`invalid mask \`${m}' specified`);
      mask = mm;
    }
  }
  return { addr: (addr & mask) >>> 0, mask: mask >>> 0 };
}

function parse_proto(s: string): number {
  const l = s.toLowerCase();
  if (/^\d+$/.test(l)) {
    if (Number(l) > 255) throw paramProblem(`unknown protocol "${s}" specified`);
    return Number(l);
  }
  if (l === 'all') return 0;
  const chainProtos: Record<string, number> = { tcp: 6, sctp: 132, udp: 17, udplite: 136, icmp: 1, icmpv6: 58, esp: 50, ah: 51, mh: 135 };
  const n = getprotobyname(l) ?? chainProtos[l];
  if (n === undefined || n === null) throw paramProblem(`unknown protocol "${s}" specified`);
  return n;
}

function parse(args: string[]): Parsed {
  const p: Parsed = {
    table: 'filter', cmd: null, chain: null, rulenum: 0, arg2: null, verbose: false, numeric: false, exact: false, lineNumbers: false,
    ip: { src: 0, smsk: 0, dst: 0, dmsk: 0, iniface: '', outiface: '', proto: 0, frag: false, invflags: 0 },
    options: new Set(), protoName: null, matches: [], target: null, jumpto: '', goto: false, zeroAfter: false,
  };
  let invert = false;
  let i = 0;
  const hasArg = () => i < args.length && args[i][0] !== '-' && args[i][0] !== '!';
  const setCmd = (c: Cmd) => {
    if (invert) throw paramProblem("unexpected '!' flag");
    if (p.cmd && !(p.cmd === 'L' && c === 'Z') && !(p.cmd === 'Z' && c === 'L')) throw paramProblem(`Cannot use -${c} with -${p.cmd}\n`);
    if (p.cmd && p.cmd !== c) {
      p.zeroAfter = true;
      p.cmd = 'L';
      return;
    }
    p.cmd = c;
  };
  const setOpt = (o: string, invBit = 0) => {
    if (p.options.has(o)) throw paramProblem(`multiple -${o} flags not allowed`);
    p.options.add(o);
    if (invert) {
      if (!invBit) throw paramProblem(`cannot have ! before -${o}`);
      p.ip.invflags |= invBit;
    }
  };
  const rulenum = (s: string) => {
    if (!/^\d+$/.test(s) || Number(s) < 1) throw paramProblem(`Invalid rule number \`${s}'`);
    return Number(s);
  };
  const loadMatch = (name: string) => {
    const ext = MATCHES[name];
    if (!ext) throw new XtError(`${PROG} v${VERSION} (nf_tables): Couldn't load match \`${name}':No such file or directory\n\nTry \`${PROG} -h' or '${PROG} --help' for more information.\n`, 2);
    const m: LoadedExt = { ext, data: ext.init(), ctx: { proto: p.ip.proto, seen: new Set() } };
    p.matches.push(m);
    return m;
  };
  while (i < args.length) {
    let a = args[i++];
    if (a === '!') {
      if (invert) throw paramProblem('multiple consecutive ! not allowed');
      invert = true;
      continue;
    }
    let opt: string;
    let val: string | undefined;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) {
        val = a.slice(eq + 1);
        a = a.slice(0, eq);
      }
      if (LONG[a]) opt = LONG[a];
      else {
        // An extension's option: loaded matches, the target, then the implicit protocol match.
        const owner = () => p.matches.find((m) => a in m.ext.opts) ?? (p.target && a in p.target.ext.opts ? p.target : undefined);
        let m = owner();
        if (!m && p.protoName && MATCHES[p.protoName] && !p.matches.some((x) => x.ext.name === p.protoName) && a in MATCHES[p.protoName].opts) m = loadMatch(p.protoName);
        if (!m) {
          const cands = Object.keys(LONG).filter((k) => k.startsWith(a));
          if (cands.length === 1) {
            opt = LONG[cands[0]];
          } else throw paramProblem(`unknown option "${a}"`);
        } else {
          const takes = m.ext.opts[a];
          if (takes && val === undefined) {
            if (i >= args.length) throw paramProblem(`option "${a}" requires an argument`);
            val = args[i++];
            if (a === '--tcp-flags') {
              if (i >= args.length) throw paramProblem(`--tcp-flags requires two args.`);
              val += ' ' + args[i++];
            }
          }
          m.ctx.seen.add(a);
          m.ctx.proto = p.ip.proto;
          try {
            m.ext.parse(a, val, invert, m.data, m.ctx);
          } catch (e) {
            if (e instanceof ParamProblem) throw paramProblem(e.message);
            throw e;
          }
          invert = false;
          continue;
        }
      }
    } else if (a.startsWith('-') && a.length > 1) {
      opt = a[1];
      if (a.length > 2) {
        if (WITH_ARG.has(opt)) val = a.slice(2);
        else args.splice(i, 0, '-' + a.slice(2)); // grouped flags: -nvL
      }
    } else {
      throw paramProblem(`Bad argument \`${a}'`);
    }
    const need = () => {
      if (val !== undefined) return val;
      if (i >= args.length) throw paramProblem(`option "${a}" requires an argument`);
      return args[i++];
    };
    switch (opt!) {
      case 'A':
      case 'C':
      case 'N':
        setCmd(opt as Cmd);
        p.chain = need();
        break;
      case 'D':
        setCmd('D');
        p.chain = need();
        if (hasArg()) p.rulenum = rulenum(args[i++]);
        break;
      case 'I':
        setCmd('I');
        p.chain = need();
        p.rulenum = hasArg() ? rulenum(args[i++]) : 1;
        break;
      case 'R':
        setCmd('R');
        p.chain = need();
        if (!hasArg()) throw paramProblem('-R requires a rule number');
        p.rulenum = rulenum(args[i++]);
        break;
      case 'L':
      case 'S':
      case 'Z':
        setCmd(opt as Cmd);
        if (val !== undefined) p.chain = val;
        else if (hasArg()) p.chain = args[i++];
        if (p.chain && hasArg()) p.rulenum = rulenum(args[i++]);
        break;
      case 'F':
      case 'X':
        setCmd(opt as Cmd);
        if (val !== undefined) p.chain = val;
        else if (hasArg()) p.chain = args[i++];
        break;
      case 'E':
        setCmd('E');
        p.chain = need();
        if (!hasArg()) throw paramProblem('-E requires old-chain-name and new-chain-name');
        p.arg2 = args[i++];
        break;
      case 'P':
        setCmd('P');
        p.chain = need();
        if (!hasArg()) throw paramProblem('-P requires a chain and a policy');
        p.arg2 = args[i++];
        break;
      case 'h':
        setCmd('h');
        break;
      case 'V':
        setCmd('V');
        break;
      case 'p': {
        setOpt('p', XT_INV_PROTO);
        const v = need();
        p.ip.proto = parse_proto(v);
        p.protoName = v.toLowerCase() === 'all' ? null : getprotobynumber(p.ip.proto) ?? v.toLowerCase();
        if (p.ip.proto === 0 && p.ip.invflags & XT_INV_PROTO) throw paramProblem('rule would never match protocol');
        break;
      }
      case 's': {
        setOpt('s', IPT_INV_SRCIP);
        const r = parse_addr(need());
        p.ip.src = r.addr;
        p.ip.smsk = r.mask;
        break;
      }
      case 'd': {
        setOpt('d', IPT_INV_DSTIP);
        const r = parse_addr(need());
        p.ip.dst = r.addr;
        p.ip.dmsk = r.mask;
        break;
      }
      case 'i':
        setOpt('i', IPT_INV_VIA_IN);
        p.ip.iniface = parse_iface(need());
        break;
      case 'o':
        setOpt('o', IPT_INV_VIA_OUT);
        p.ip.outiface = parse_iface(need());
        break;
      case 'f':
        setOpt('f', IPT_INV_FRAG);
        p.ip.frag = true;
        break;
      case 'j':
      case 'g': {
        setOpt('j');
        const t = need();
        if (!t) throw paramProblem('Invalid target name (too short)');
        p.jumpto = t;
        p.goto = opt === 'g';
        const ext = TARGETS[t];
        if (ext && opt === 'j') p.target = { ext, data: ext.init(), ctx: { proto: p.ip.proto, seen: new Set() } };
        break;
      }
      case 'm': {
        if (invert) throw paramProblem('unexpected ! flag before --match');
        loadMatch(need());
        break;
      }
      case 'v':
        p.verbose = true;
        break;
      case 'n':
        p.numeric = true;
        break;
      case 'x':
        p.exact = true;
        break;
      case '#':
        p.lineNumbers = true;
        break;
      case 't': {
        if (invert) throw paramProblem('unexpected ! flag before --table');
        p.table = need();
        break;
      }
      case 'w':
      case 'W':
        if (val === undefined && hasArg()) i++;
        break;
      case 'c':
        need();
        if (hasArg()) i++;
        break;
      case '4':
        break;
      default:
        throw paramProblem(`unknown option "${a}"`);
    }
    invert = false;
  }
  if (invert) throw paramProblem("unexpected '!' flag");
  try {
    for (const m of p.matches) m.ext.final?.(m.data, m.ctx);
    if (p.target) p.target.ext.final?.(p.target.data, p.target.ctx);
  } catch (e) {
    if (e instanceof ParamProblem) throw paramProblem(e.message);
    throw e;
  }
  return p;
}

// ---- printing -------------------------------------------------------------------------

/** xtables_print_num. */
function print_num(n: number, format: number): string {
  const notable = format & FMT_NOTABLE;
  if (!(format & FMT_KILOMEGAGIGA)) return notable ? `${n} ` : `${String(n).padStart(8)} `;
  if (n <= 99999) return notable ? `${n} ` : `${String(n).padStart(5)} `;
  for (const suf of ['K', 'M', 'G', 'T']) {
    n = Math.floor((n + 500) / 1000);
    if (n <= 9999 || suf === 'T') return notable ? `${n}${suf} ` : `${String(n).padStart(4)}${suf} `;
  }
  return '';
}

function print_header(format: number, chain: XtChain, refs: number): string {
  let s = `Chain ${chain.name}`;
  if (chain.hook >= 0) {
    s += ` (policy ${chain.policy}`;
    if (!(format & FMT_NOCOUNTS)) s += ` ${print_num(chain.counters.pcnt, format | FMT_NOTABLE)}packets, ${print_num(chain.counters.bcnt, format | FMT_NOTABLE)}bytes`;
    s += ')\n';
  } else s += ` (${refs} references)\n`;
  if (format & FMT_LINENUMBERS) s += 'num'.padEnd(4) + ' ';
  if (!(format & FMT_NOCOUNTS)) {
    if (format & FMT_KILOMEGAGIGA) s += `${'pkts'.padStart(5)} ${'bytes'.padStart(5)} `;
    else s += `${'pkts'.padStart(8)} ${'bytes'.padStart(10)} `;
  }
  s += 'target'.padEnd(9) + ' ';
  s += ' prot ';
  if (format & FMT_OPTIONS) s += 'opt';
  if (format & FMT_VIA) s += ` ${'in'.padEnd(6)} ${'out'.padEnd(6)} `;
  s += ` ${'source'.padEnd(19)} `;
  s += ` ${'destination'.padEnd(19)} `;
  return s + '\n';
}

function mask_to_numeric(mask: number): string {
  if (mask === 0xffffffff) return '';
  for (let n = 0; n <= 32; n++) if (inet_make_mask(n) === mask) return `/${n}`;
  return `/${formatIPv4(mask)}`;
}

function addr_to_string(addr: number, mask: number, format: number): string {
  if (!mask && !(format & FMT_NUMERIC)) return 'anywhere';
  const name = !(format & FMT_NUMERIC) && addr === 0x7f000001 && mask === 0xffffffff ? 'localhost' : formatIPv4(addr);
  return name + mask_to_numeric(mask);
}

function proto_name(proto: number, numeric: boolean): string | null {
  if (proto === 0) return 'all';
  if (numeric) return null;
  return getprotobynumber(proto);
}

function target_name(e: IptEntry): string {
  return e.target.name;
}

/** print_firewall (nft_ipv4_print_rule). */
function print_rule(e: IptEntry, num: number, format: number): string {
  const ip = e.ip;
  let s = '';
  if (format & FMT_LINENUMBERS) s += String(num).padEnd(4) + ' ';
  if (!(format & FMT_NOCOUNTS)) s += print_num(e.counters.pcnt, format) + print_num(e.counters.bcnt, format);
  s += target_name(e).padEnd(9) + ' ';
  s += ip.invflags & XT_INV_PROTO ? '!' : ' ';
  const pn = format & FMT_NUMERIC ? String(ip.proto) : proto_name(ip.proto, false) ?? String(ip.proto);
  s += pn.padEnd(5);
  if (format & FMT_OPTIONS) s += (ip.invflags & IPT_INV_FRAG ? '!' : '-') + (ip.frag ? 'f' : '-') + ' ';
  if (format & FMT_VIA) {
    const any = format & FMT_NUMERIC ? '*' : 'any';
    s += ` ${((ip.invflags & IPT_INV_VIA_IN ? '!' : '') + (ip.iniface || any)).padEnd(6)} `;
    s += `${((ip.invflags & IPT_INV_VIA_OUT ? '!' : '') + (ip.outiface || any)).padEnd(6)} `;
  }
  s += (ip.invflags & IPT_INV_SRCIP ? '!' : ' ') + addr_to_string(ip.src, ip.smsk, format).padEnd(19) + ' ';
  s += (ip.invflags & IPT_INV_DSTIP ? '!' : ' ') + addr_to_string(ip.dst, ip.dmsk, format).padEnd(19) + ' ';
  if (e.goto) s += '[goto] ';
  for (const m of e.matches) s += MATCHES[m.name]?.print(m.data, !!(format & FMT_NUMERIC), ip.proto) ?? '';
  const t = TARGETS[e.target.name];
  if (t) s += t.print(e.target.data, !!(format & FMT_NUMERIC), ip.proto);
  return s + '\n';
}

function mask_to_str(mask: number): string {
  if (mask === 0xffffffff) return '32';
  for (let n = 0; n <= 32; n++) if (inet_make_mask(n) === mask) return String(n);
  return formatIPv4(mask);
}

/** The rule in -S / iptables-save form, after "-A CHAIN". */
function save_rule(e: IptEntry, counters: boolean): string {
  const ip = e.ip;
  let s = '';
  const addr = (letter: string, a: number, m: number, inv: boolean) => (!m && !inv && !a ? '' : `${inv ? ' !' : ''} -${letter} ${formatIPv4(a)}/${mask_to_str(m)}`);
  s += addr('s', ip.src, ip.smsk, !!(ip.invflags & IPT_INV_SRCIP));
  s += addr('d', ip.dst, ip.dmsk, !!(ip.invflags & IPT_INV_DSTIP));
  if (ip.iniface) s += `${ip.invflags & IPT_INV_VIA_IN ? ' !' : ''} -i ${ip.iniface}`;
  if (ip.outiface) s += `${ip.invflags & IPT_INV_VIA_OUT ? ' !' : ''} -o ${ip.outiface}`;
  if (ip.proto) s += `${ip.invflags & XT_INV_PROTO ? ' !' : ''} -p ${getprotobynumber(ip.proto) ?? ip.proto}`;
  if (ip.frag) s += `${ip.invflags & IPT_INV_FRAG ? ' !' : ''} -f`;
  for (const m of e.matches) s += ` -m ${m.name}` + (MATCHES[m.name]?.save(m.data, ip.proto) ?? '');
  if (counters) s += ` -c ${e.counters.pcnt} ${e.counters.bcnt}`;
  if (e.target.name) {
    s += ` ${e.goto ? '-g' : '-j'} ${e.target.name}`;
    const t = TARGETS[e.target.name];
    if (t) s += t.save(e.target.data, ip.proto);
  }
  return s;
}

/** Built-ins in hook order, then user chains by name (the nft cache's order). */
function ordered(t: XtTable): XtChain[] {
  return [...t.chains.filter((c) => c.hook >= 0), ...t.chains.filter((c) => c.hook < 0).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))];
}

/** A table that was never created lists as its empty built-in chains. */
function virtual_table(name: string): XtTable {
  const HOOK_CHAIN = ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'];
  return { name, ops: [], chains: XT_TABLES[name].hooks.map((h) => ({ name: HOOK_CHAIN[h], hook: h, policy: 'ACCEPT' as const, counters: { pcnt: 0, bcnt: 0 }, stats: false, rules: [] })) };
}

function list(p: Proc, t: XtTable, o: Parsed): void {
  let format = FMT_OPTIONS;
  if (!o.verbose) format |= FMT_NOCOUNTS;
  else format |= FMT_VIA;
  if (o.numeric) format |= FMT_NUMERIC;
  if (!o.exact) format |= FMT_KILOMEGAGIGA;
  if (o.lineNumbers) format |= FMT_LINENUMBERS;
  const chains = o.chain ? [xt_find_chain(t, o.chain)!] : ordered(t);
  let s = '';
  chains.forEach((c, k) => {
    if (o.rulenum) {
      const e = c.rules[o.rulenum - 1];
      if (e) s += print_rule(e, o.rulenum, format);
      return;
    }
    if (k) s += '\n';
    s += print_header(format, c, xt_chain_refs(t, c.name));
    c.rules.forEach((e, n) => (s += print_rule(e, n + 1, format)));
  });
  out(p, s);
}

function list_rules(t: XtTable, o: Parsed): string {
  const cnt = (c: { pcnt: number; bcnt: number }) => (o.verbose ? ` -c ${c.pcnt} ${c.bcnt}` : '');
  const chains = o.chain ? [xt_find_chain(t, o.chain)!] : ordered(t);
  let s = '';
  if (o.rulenum) {
    const e = chains[0].rules[o.rulenum - 1];
    return e ? `-A ${chains[0].name}${save_rule(e, o.verbose)}\n` : '';
  }
  for (const c of chains) if (c.hook >= 0) s += `-P ${c.name} ${c.policy}${cnt(c.counters)}\n`;
  for (const c of chains) if (c.hook < 0) s += `-N ${c.name}\n`;
  for (const c of chains) for (const e of c.rules) s += `-A ${c.name}${save_rule(e, o.verbose)}\n`;
  return s;
}

// ---- commands -------------------------------------------------------------------------

const STANDARD = new Set(['ACCEPT', 'DROP', 'RETURN', 'QUEUE', 'NFQUEUE']);

function build_entry(t: XtTable, o: Parsed): IptEntry {
  const name = o.jumpto;
  if (name && !STANDARD.has(name) && !o.target) {
    const c = xt_find_chain(t, name);
    if (!c || c.hook >= 0) {
      if (xt_targets.has(name)) throw paramProblem(`Couldn't load target \`${name}':No such file or directory\n`);
      throw paramProblem(`Chain '${name}' does not exist`);
    }
  }
  if (t.name === 'nat' && name === 'DROP') {
    throw paramProblem('\nThe "nat" table is not intended for filtering, the use of DROP is therefore inhibited.\n\n');
  }
  return {
    ip: { ...o.ip },
    matches: o.matches.map((m) => ({ name: m.ext.name, data: m.data })),
    target: { name, data: o.target ? o.target.data : null },
    goto: o.goto,
    counters: { pcnt: 0, bcnt: 0 },
  };
}

function same_rule(a: IptEntry, b: IptEntry): boolean {
  const key = (e: IptEntry) => JSON.stringify([e.ip, e.matches, e.target, e.goto]);
  return key(a) === key(b);
}

function chain_or_fail(t: XtTable, name: string | null): XtChain {
  const c = name ? xt_find_chain(t, name) : undefined;
  if (!c) throw plain('No chain/target/match by that name.');
  return c;
}

function check_iface_for_chain(o: Parsed): void {
  const c = o.chain ?? '';
  if ((c === 'PREROUTING' || c === 'INPUT') && o.options.has('o')) throw paramProblem(`Can't use -o with ${c}\n`);
  if ((c === 'POSTROUTING' || c === 'OUTPUT') && o.options.has('i')) throw paramProblem(`Can't use -i with ${c}\n`);
}

function valid_chain_name(t: XtTable, name: string): void {
  if (name.length >= 29) throw paramProblem(`chain name \`${name}' too long (must be under 29 chars)`);
  if (name[0] === '-' || name[0] === '!') throw paramProblem(`chain name not allowed to start with \`${name[0]}'\n`);
  if (TARGETS[name] || STANDARD.has(name)) throw paramProblem('chain name may not clash with target name\n');
  if (/\s/.test(name)) throw paramProblem(`Invalid chain name \`${name}'`);
  void t;
}

function run(p: Proc, net: Net, args: string[]): number {
  const o = parse(args);
  if (!o.cmd) throw paramProblem('no command specified');
  if (o.cmd === 'V') {
    out(p, `${PROG} v${VERSION} (nf_tables)\n`);
    return 0;
  }
  if (o.cmd === 'h') {
    out(p, `${PROG} v${VERSION}\n\nUsage: ${PROG} -[ACD] chain rule-specification [options]\n       ${PROG} -I chain [rulenum] rule-specification [options]\n       ${PROG} -R chain rulenum rule-specification [options]\n       ${PROG} -D chain rulenum [options]\n       ${PROG} -[LS] [chain [rulenum]] [options]\n       ${PROG} -[FZ] [chain] [options]\n       ${PROG} -[NX] chain\n       ${PROG} -E old-chain-name new-chain-name\n       ${PROG} -P chain target [options]\n       ${PROG} -h (print this help information)\n`);
    return 0;
  }
  if (!XT_TABLES[o.table]) throw new XtError(`${PROG} v${VERSION} (nf_tables): table '${o.table}' does not exist\nPerhaps iptables or your kernel needs to be upgraded.\n`, 3);
  const readOnly = o.cmd === 'L' || o.cmd === 'S' || o.cmd === 'C';
  const t = xt_find_table(net, o.table, !readOnly) ?? virtual_table(o.table);
  switch (o.cmd) {
    case 'L':
    case 'S': {
      if (o.chain && !xt_find_chain(t, o.chain)) throw new XtError(`${PROG} v${VERSION} (nf_tables): chain \`${o.chain}' in table \`${o.table}' is incompatible, use 'nft' tool.\n`, 1);
      if (o.cmd === 'L') list(p, t, o);
      else out(p, list_rules(t, o));
      if (o.zeroAfter) zero(t, o.chain ? xt_find_chain(t, o.chain)! : null, 0);
      return 0;
    }
    case 'A':
    case 'I':
    case 'C':
    case 'D':
    case 'R': {
      const c = chain_or_fail(t, o.chain);
      if (o.cmd === 'D' && o.rulenum) {
        if (o.rulenum > c.rules.length) throw plain('Index of deletion too big.');
        xt_delete_rule(net, c, o.rulenum - 1);
        return 0;
      }
      check_iface_for_chain(o);
      const e = build_entry(t, o);
      if (o.cmd === 'C' || o.cmd === 'D') {
        const at = c.rules.findIndex((r) => same_rule(r, e));
        if (at < 0) throw plain('Bad rule (does a matching rule exist in that chain?).');
        if (o.cmd === 'D') xt_delete_rule(net, c, at);
        return 0;
      }
      const what = { A: 'RULE_APPEND', I: 'RULE_INSERT', R: 'RULE_REPLACE' }[o.cmd];
      if (o.cmd === 'I' && o.rulenum > c.rules.length + 1) throw plain('Index of insertion too big.');
      if (o.cmd === 'R' && o.rulenum > c.rules.length) throw plain('Index of replacement too big.');
      const errno = xt_check_entry(t, c, e);
      if (errno) throw nftFail(what, errno, `rule in chain ${c.name}`);
      if (o.cmd === 'A') xt_insert_rule(net, c, e, c.rules.length);
      else if (o.cmd === 'I') xt_insert_rule(net, c, e, o.rulenum - 1);
      else {
        xt_delete_rule(net, c, o.rulenum - 1);
        xt_insert_rule(net, c, e, o.rulenum - 1);
      }
      return 0;
    }
    case 'F': {
      const chains = o.chain ? [chain_or_fail(t, o.chain)] : t.chains;
      for (const c of chains) while (c.rules.length) xt_delete_rule(net, c, c.rules.length - 1);
      return 0;
    }
    case 'Z':
      zero(t, o.chain ? chain_or_fail(t, o.chain) : null, o.rulenum);
      return 0;
    case 'N': {
      valid_chain_name(t, o.chain!);
      if (xt_find_chain(t, o.chain!)) throw plain('Chain already exists.');
      t.chains.push({ name: o.chain!, hook: -1, policy: null, counters: { pcnt: 0, bcnt: 0 }, stats: false, rules: [] });
      return 0;
    }
    case 'X': {
      const victims = o.chain ? [o.chain] : t.chains.filter((c) => c.hook < 0).map((c) => c.name);
      for (const name of victims) {
        const c = chain_or_fail(t, name);
        if (c.hook >= 0 || c.rules.length || xt_chain_refs(t, name)) throw nftFail('CHAIN_DEL', 'EBUSY', `chain ${name}`);
        t.chains.splice(t.chains.indexOf(c), 1);
      }
      return 0;
    }
    case 'E': {
      const c = chain_or_fail(t, o.chain);
      valid_chain_name(t, o.arg2!);
      if (xt_find_chain(t, o.arg2!)) throw plain('File exists.');
      if (c.hook >= 0) throw plain('Invalid argument.');
      for (const ch of t.chains) for (const r of ch.rules) if (r.target.name === c.name) r.target.name = o.arg2!;
      c.name = o.arg2!;
      return 0;
    }
    case 'P': {
      const c = xt_find_chain(t, o.chain!);
      if (!c || c.hook < 0) throw plain('Bad built-in chain name.');
      if (o.arg2 !== 'ACCEPT' && o.arg2 !== 'DROP') throw plain("Bad policy name. Run `dmesg' for more information.");
      c.policy = o.arg2;
      // iptables-nft gives a base chain its counters only with a policy command.
      c.stats = true;
      return 0;
    }
  }
  return 0;
}

function zero(t: XtTable, chain: XtChain | null, rulenum: number): void {
  for (const c of chain ? [chain] : t.chains) {
    if (rulenum) {
      const e = c.rules[rulenum - 1];
      if (e) e.counters = { pcnt: 0, bcnt: 0 };
      continue;
    }
    c.counters = { pcnt: 0, bcnt: 0 };
    for (const e of c.rules) e.counters = { pcnt: 0, bcnt: 0 };
  }
}

export function* iptables(p: Proc): ProgramGen {
  const net = kernel(p);
  try {
    return run(p, net, p.argv.slice(1));
  } catch (e) {
    if (e instanceof XtError) {
      err(p, e.message);
      return e.status;
    }
    throw e;
  }
}

/** iptables-save [-t table] [-c]: every created table in save format. */
export function* iptables_save(p: Proc): ProgramGen {
  const net = kernel(p);
  const args = p.argv.slice(1);
  let only: string | null = null;
  let counters = false;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '-t' || args[i] === '--table') only = args[++i] ?? null;
    else if (args[i] === '-c' || args[i] === '--counters') counters = true;
  }
  // The header's date is wall-clock time in the real tool; a virtual clock has none.
  const stamp = 'Thu Jan  1 00:00:00 1970';
  let s = '';
  for (const name of ['raw', 'mangle', 'filter', 'nat']) {
    if (only && only !== name) continue;
    const t = xt_find_table(net, name, false);
    if (!t) continue;
    s += `# Generated by iptables-save v${VERSION} (nf_tables) on ${stamp}\n*${name}\n`;
    for (const c of ordered(t)) s += `:${c.name} ${c.policy ?? '-'} [${c.counters.pcnt}:${c.counters.bcnt}]\n`;
    for (const c of ordered(t)) for (const e of c.rules) s += `${counters ? `[${e.counters.pcnt}:${e.counters.bcnt}] ` : ''}-A ${c.name}${save_rule(e, false)}\n`;
    s += `COMMIT\n# Completed on ${stamp}\n`;
  }
  out(p, s);
  return 0;
}

