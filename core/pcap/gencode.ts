// libpcap's filter language (pcap-filter(7)) compiled to a matcher over a
// frame, the job gencode.c and the BPF optimiser do for tcpdump. Covered:
// host, net (a.b.c.d/len, a.b.c, mask), port, portrange with src/dst
// qualifiers and the `src or dst` / `src and dst` forms; the protocols ip,
// arp, rarp, tcp, udp, icmp, `ip proto N`, `ether host/src/dst`,
// broadcast, multicast, less, greater; and, or, not (also &&, ||, !),
// parentheses. As in libpcap, `and` and `or` bind equally tightly, left to
// right, and an identifier without qualifiers inherits the previous ones
// (`host a or b`).
import { LINKTYPE_ETHERNET, LINKTYPE_RAW } from './pcap.js';
import { UDP_SERVICES, TCP_SERVICES } from './services.js';

/** A compiled filter: frame bytes (from the link header) and wire length. */
export type Matcher = (frame: Uint8Array, len: number) => boolean;

export class FilterError extends Error {}

type Dir = 'src' | 'dst' | 'src or dst' | 'src and dst';
interface Quals {
  proto?: string;
  dir?: Dir;
  type?: 'host' | 'net' | 'port' | 'portrange';
}

/** A view of a frame at the link type's network offset. */
interface Pkt {
  b: Uint8Array;
  len: number;
  /** Offset of the network header. */
  nh: number;
  /** Ethertype (for raw IP: 0x0800 / 0x86dd by version). */
  type: number;
  ether: boolean;
}

type Node = (p: Pkt) => boolean;

const RESERVED = ['and', 'or', 'not', 'host', 'net', 'port', 'portrange', 'src', 'dst', 'proto', 'less', 'greater', 'len', 'broadcast', 'multicast', '(', ')', '!', '&&', '||'];
const PROTOS = ['ip', 'arp', 'rarp', 'tcp', 'udp', 'icmp', 'ether', 'ip6', 'igmp', 'sctp'];

export function pcap_compile(expr: string, linktype = LINKTYPE_ETHERNET): Matcher {
  const toks = tokenize(expr);
  if (!toks.length) return () => true;
  const node = new Parser(toks).parse();
  const ether = linktype !== LINKTYPE_RAW;
  return (b, len) => {
    if (ether && b.length < 14) return false;
    const p: Pkt = ether ? { b, len, nh: 14, type: (b[12] << 8) | b[13], ether } : { b, len, nh: 0, type: b[0] >> 4 === 6 ? 0x86dd : 0x0800, ether };
    return node(p);
  };
}

function tokenize(s: string): string[] {
  const out: string[] = [];
  const re = /\s*(&&|\|\||==|!=|<=|>=|<<|>>|[()!<>=&|[\]+*]|[^\s()!<>=&|[\]+*]+)/y;
  let m: RegExpExecArray | null;
  re.lastIndex = 0;
  while (re.lastIndex < s.length && (m = re.exec(s))) {
    if (!m[1]) break;
    out.push(m[1]);
  }
  if (s.slice(re.lastIndex).trim()) throw new FilterError('syntax error');
  return out;
}

class Parser {
  private i = 0;
  private last: Quals = {};
  constructor(private t: string[]) {}

  private peek(): string | undefined {
    return this.t[this.i];
  }
  private next(): string {
    const x = this.t[this.i++];
    if (x === undefined) throw new FilterError('syntax error');
    return x;
  }

  parse(): Node {
    const n = this.expr();
    if (this.i < this.t.length) throw new FilterError('syntax error');
    return n;
  }

  // and/or: same precedence, left associative (%left OR AND in grammar.y).
  private expr(): Node {
    let left = this.unary();
    for (;;) {
      const op = this.peek();
      if (op === 'and' || op === '&&') {
        this.i++;
        const a = left;
        const b = this.unary();
        left = (p) => a(p) && b(p);
      } else if (op === 'or' || op === '||') {
        this.i++;
        const a = left;
        const b = this.unary();
        left = (p) => a(p) || b(p);
      } else return left;
    }
  }

  private unary(): Node {
    const x = this.peek();
    if (x === 'not' || x === '!') {
      this.i++;
      const n = this.unary();
      return (p) => !n(p);
    }
    if (x === '(') {
      this.i++;
      const n = this.expr();
      if (this.next() !== ')') throw new FilterError('syntax error');
      return n;
    }
    return this.term();
  }

  private term(): Node {
    if (this.isArith()) return this.relation();
    const x = this.next();
    if (x === 'less' || x === 'greater') {
      const n = num(this.next());
      return x === 'less' ? (p) => p.len <= n : (p) => p.len >= n;
    }
    if (x === 'broadcast' || x === 'multicast') return linkCast(x);
    const q: Quals = {};
    let tok: string | undefined = x;
    if (tok && PROTOS.includes(tok)) {
      q.proto = tok;
      tok = this.peek();
      if (q.proto === 'ip' && tok === 'proto') {
        this.i++;
        const n = protoNumber(this.next());
        return (p) => isIPv4(p) && p.b[p.nh + 9] === n;
      }
      if (q.proto === 'ether' && (tok === 'broadcast' || tok === 'multicast')) {
        this.i++;
        return linkCast(tok);
      }
      if (q.proto === 'ip' && (tok === 'broadcast' || tok === 'multicast')) {
        this.i++;
        return tok === 'multicast' ? (p) => isIPv4(p) && p.b[p.nh + 16] >> 4 === 0xe : (p) => isIPv4(p) && get32(p.b, p.nh + 16) === 0xffffffff;
      }
      if (!tok || !isQualifier(tok)) return protoNode(q.proto);
      tok = this.next();
    } else if (tok) this.i--;
    if (!q.proto) tok = this.next();
    if (tok === 'src' || tok === 'dst') {
      let dir: Dir = tok;
      const o = this.peek();
      if ((o === 'or' || o === 'and') && (this.t[this.i + 1] === 'src' || this.t[this.i + 1] === 'dst')) {
        this.i += 2;
        dir = o === 'or' ? 'src or dst' : 'src and dst';
      }
      q.dir = dir;
      tok = this.next();
    }
    if (tok === 'host' || tok === 'net' || tok === 'port' || tok === 'portrange') {
      q.type = tok;
      tok = this.next();
    }
    if (RESERVED.includes(tok)) throw new FilterError('syntax error');
    if (q.proto === undefined && q.dir === undefined && q.type === undefined) {
      // A bare id: the previous qualifiers carry over (`host a or b`).
      if (!this.last.type && !this.last.dir) throw new FilterError('syntax error');
      Object.assign(q, this.last);
    }
    this.last = { ...q };
    return this.primitive(q, tok);
  }

  /** Does an arithmetic comparison start here (`icmp[0] == 8`, `len > 100`)? */
  private isArith(): boolean {
    const x = this.peek();
    if (x === undefined) return false;
    if (this.t[this.i + 1] === '[') return true;
    const ops = ['=', '==', '!=', '<', '>', '<=', '>=', '&', '|', '+', '-', '*', '/', '<<', '>>'];
    if ((x === 'len' || /^(0x[0-9a-f]+|\d+)$/i.test(x)) && ops.includes(this.t[this.i + 1] ?? '')) return true;
    return false;
  }

  /** arith relop arith (gen_relation). */
  private relation(): Node {
    const a = this.arith();
    const op = this.next();
    if (!['=', '==', '!=', '<', '>', '<=', '>='].includes(op)) throw new FilterError('syntax error');
    const b = this.arith();
    return (p) => {
      const x = a(p);
      const y = b(p);
      if (x === null || y === null) return false; // the load fell off the packet: reject
      switch (op) {
        case '=':
        case '==':
          return x === y;
        case '!=':
          return x !== y;
        case '<':
          return x < y;
        case '>':
          return x > y;
        case '<=':
          return x <= y;
        default:
          return x >= y;
      }
    };
  }

  private arith(): (p: Pkt) => number | null {
    let left = this.operand();
    for (;;) {
      const op = this.peek();
      if (op !== '&' && op !== '|' && op !== '+' && op !== '-' && op !== '*' && op !== '/' && op !== '<<' && op !== '>>') return left;
      this.i++;
      const a = left;
      const b = this.operand();
      left = (p) => {
        const x = a(p);
        const y = b(p);
        if (x === null || y === null) return null;
        switch (op) {
          case '&':
            return (x & y) >>> 0;
          case '|':
            return (x | y) >>> 0;
          case '+':
            return (x + y) >>> 0;
          case '-':
            return (x - y) >>> 0;
          case '*':
            return Math.imul(x, y) >>> 0;
          case '/':
            return y ? Math.floor(x / y) : null;
          case '<<':
            return (x << y) >>> 0;
          default:
            return x >>> y;
        }
      };
    }
  }

  private operand(): (p: Pkt) => number | null {
    const x = this.next();
    if (x === '(') {
      const v = this.arith();
      if (this.next() !== ')') throw new FilterError('syntax error');
      return v;
    }
    if (x === 'len') return (p) => p.len;
    if (x in CONSTANTS) {
      const v = CONSTANTS[x];
      return () => v;
    }
    if (this.peek() === '[') {
      this.i++;
      const spec = this.next();
      if (this.next() !== ']') throw new FilterError('syntax error');
      const [o, sz] = spec.split(':');
      const off = o in CONSTANTS ? CONSTANTS[o] : num(o);
      const size = sz === undefined ? 1 : num(sz);
      if (size !== 1 && size !== 2 && size !== 4) throw new FilterError('data size must be 1, 2, or 4');
      const base = layer(x);
      return (p) => {
        const at = base(p);
        if (at === null || at + off + size > p.b.length) return null;
        let v = 0;
        for (let k = 0; k < size; k++) v = v * 256 + p.b[at + off + k];
        return v;
      };
    }
    const v = num(x);
    return () => v;
  }

  private primitive(q: Quals, id: string): Node {
    const dir = q.dir ?? 'src or dst';
    const type = q.type ?? 'host';
    if (q.proto === 'ether') {
      const mac = parseMac(id);
      if (!mac) throw new FilterError('syntax error');
      return (p) => p.ether && matchDir(dir, () => eq(p.b, 6, mac), () => eq(p.b, 0, mac));
    }
    if (type === 'host' || type === 'net') {
      const [addr, mask] = type === 'host' ? [host(id), 0xffffffff] : net(id, this);
      const m = (a: number) => ((a & mask) >>> 0) === addr;
      const ipm = (p: Pkt) => isIPv4(p) && matchDir(dir, () => m(get32(p.b, p.nh + 12)), () => m(get32(p.b, p.nh + 16)));
      const arpm = (p: Pkt) => (p.type === 0x0806 || p.type === 0x8035) && p.b.length >= p.nh + 28 && matchDir(dir, () => m(get32(p.b, p.nh + 14)), () => m(get32(p.b, p.nh + 24)));
      switch (q.proto) {
        case undefined:
          return (p) => ipm(p) || arpm(p);
        case 'ip':
          return ipm;
        case 'arp':
        case 'rarp':
          return arpm;
        default: {
          const pn = protoNode(q.proto);
          return (p) => pn(p) && ipm(p);
        }
      }
    }
    // port / portrange: TCP, UDP (and SCTP) over unfragmented IPv4.
    let lo: number;
    let hi: number;
    if (type === 'portrange') {
      const m = /^(\w+)-(\w+)$/.exec(id);
      if (!m) throw new FilterError('syntax error');
      lo = port(m[1]);
      hi = port(m[2]);
      if (lo > hi) [lo, hi] = [hi, lo];
    } else lo = hi = port(id);
    const protos = q.proto === 'tcp' ? [6] : q.proto === 'udp' ? [17] : q.proto === 'sctp' ? [132] : q.proto === undefined || q.proto === 'ip' ? [6, 17, 132] : null;
    if (!protos) throw new FilterError(`port applied to ${q.proto}`);
    const inRange = (v: number) => v >= lo && v <= hi;
    return (p) => {
      if (!isIPv4(p) || !protos.includes(p.b[p.nh + 9])) return false;
      if (((p.b[p.nh + 6] << 8) | p.b[p.nh + 7]) & 0x1fff) return false;
      const th = p.nh + (p.b[p.nh] & 0xf) * 4;
      if (p.b.length < th + 4) return false;
      return matchDir(dir, () => inRange((p.b[th] << 8) | p.b[th + 1]), () => inRange((p.b[th + 2] << 8) | p.b[th + 3]));
    };
  }
}

function isQualifier(t: string): boolean {
  return ['src', 'dst', 'host', 'net', 'port', 'portrange'].includes(t);
}

function protoNode(proto: string): Node {
  switch (proto) {
    case 'ip':
      return isIPv4;
    case 'ip6':
      return (p) => p.type === 0x86dd;
    case 'arp':
      return (p) => p.type === 0x0806;
    case 'rarp':
      return (p) => p.type === 0x8035;
    case 'tcp':
      return (p) => isIPv4(p) && p.b[p.nh + 9] === 6;
    case 'udp':
      return (p) => isIPv4(p) && p.b[p.nh + 9] === 17;
    case 'icmp':
      return (p) => isIPv4(p) && p.b[p.nh + 9] === 1;
    case 'igmp':
      return (p) => isIPv4(p) && p.b[p.nh + 9] === 2;
    case 'sctp':
      return (p) => isIPv4(p) && p.b[p.nh + 9] === 132;
    case 'ether':
      return (p) => p.ether;
  }
  throw new FilterError('syntax error');
}

function linkCast(kind: string): Node {
  return kind === 'broadcast' ? (p) => p.ether && p.b[0] === 0xff && p.b[1] === 0xff && p.b[2] === 0xff && p.b[3] === 0xff && p.b[4] === 0xff && p.b[5] === 0xff : (p) => p.ether && (p.b[0] & 1) === 1;
}

function isIPv4(p: Pkt): boolean {
  return p.type === 0x0800 && p.b.length >= p.nh + 20;
}

function matchDir(dir: Dir, src: () => boolean, dst: () => boolean): boolean {
  switch (dir) {
    case 'src':
      return src();
    case 'dst':
      return dst();
    case 'src and dst':
      return src() && dst();
    default:
      return src() || dst();
  }
}

function get32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}
function eq(b: Uint8Array, o: number, mac: number[]): boolean {
  for (let i = 0; i < 6; i++) if (b[o + i] !== mac[i]) return false;
  return true;
}
function parseMac(s: string): number[] | null {
  const m = /^[0-9a-f]{1,2}([:.-][0-9a-f]{1,2}){5}$/i.test(s) ? s.split(/[:.-]/) : null;
  return m ? m.map((x) => parseInt(x, 16)) : null;
}
function num(s: string): number {
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(s)) throw new FilterError('syntax error');
  return Number(s);
}

function dotted(s: string): number[] | null {
  if (!/^\d{1,3}(\.\d{1,3}){0,3}$/.test(s)) return null;
  const parts = s.split('.').map(Number);
  if (parts.some((x) => x > 255)) return null;
  return parts;
}

function host(s: string): number {
  const parts = dotted(s);
  // libpcap would look a name up; a lab has no resolver, so a name is an error.
  if (!parts || parts.length !== 4) throw new FilterError(parts ? 'syntax error' : `unknown host '${s}'`);
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

function net(s: string, p: Parser): [number, number] {
  void p;
  let [a, l] = s.split('/');
  const parts = dotted(a);
  if (!parts) throw new FilterError('syntax error');
  const n = parts.length;
  while (parts.length < 4) parts.push(0);
  const addr = ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
  const plen = l === undefined ? n * 8 : Number(l);
  if (!Number.isInteger(plen) || plen < 0 || plen > 32) throw new FilterError(`mask length must be <= 32`);
  const mask = plen === 0 ? 0 : (0xffffffff << (32 - plen)) >>> 0;
  if ((addr & ~mask) >>> 0) throw new FilterError(`non-network bits set in "${s}"`);
  return [addr, mask];
}

function port(s: string): number {
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    if (n > 65535) throw new FilterError(`illegal port number ${n} > 65535`);
    return n;
  }
  for (const t of [TCP_SERVICES, UDP_SERVICES]) for (const [k, v] of Object.entries(t)) if (v === s) return Number(k);
  throw new FilterError(`unknown port '${s}'`);
}

function protoNumber(s: string): number {
  const names: Record<string, number> = { icmp: 1, igmp: 2, tcp: 6, udp: 17, sctp: 132 };
  if (s in names) return names[s];
  return num(s);
}

/** Where proto[...] loads count from, or null when the packet is not that protocol. */
function layer(proto: string): (p: Pkt) => number | null {
  switch (proto) {
    case 'ether':
      return (p) => (p.ether ? 0 : null);
    case 'ip':
      return (p) => (isIPv4(p) ? p.nh : null);
    case 'arp':
      return (p) => (p.type === 0x0806 ? p.nh : null);
    case 'icmp':
    case 'tcp':
    case 'udp': {
      const n = { icmp: 1, tcp: 6, udp: 17 }[proto];
      // Only the first fragment carries the transport header.
      return (p) => (isIPv4(p) && p.b[p.nh + 9] === n && !(((p.b[p.nh + 6] << 8) | p.b[p.nh + 7]) & 0x1fff) ? p.nh + (p.b[p.nh] & 0xf) * 4 : null);
    }
  }
  throw new FilterError('syntax error');
}

/** Named offsets and values of pcap-filter(7). */
const CONSTANTS: Record<string, number> = {
  icmptype: 0,
  icmpcode: 1,
  'icmp-echoreply': 0,
  'icmp-unreach': 3,
  'icmp-sourcequench': 4,
  'icmp-redirect': 5,
  'icmp-echo': 8,
  'icmp-routeradvert': 9,
  'icmp-routersolicit': 10,
  'icmp-timxceed': 11,
  'icmp-paramprob': 12,
  'icmp-tstamp': 13,
  'icmp-tstampreply': 14,
  'icmp-ireq': 15,
  'icmp-ireqreply': 16,
  'icmp-maskreq': 17,
  'icmp-maskreply': 18,
  tcpflags: 13,
  'tcp-fin': 0x01,
  'tcp-syn': 0x02,
  'tcp-rst': 0x04,
  'tcp-push': 0x08,
  'tcp-ack': 0x10,
  'tcp-urg': 0x20,
  'tcp-ece': 0x40,
  'tcp-cwr': 0x80,
};
