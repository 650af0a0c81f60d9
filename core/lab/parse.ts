// Lab file (YAML 1.2 or JSON) -> Topology, or a LabError at file:line:col.
// We walk the yaml package's node tree rather than its toJS() output, so every
// error can point at the node it is about.

import { CST, Lexer, LineCounter, isAlias, isMap, isPair, isScalar, isSeq, parseDocument, visit } from 'yaml';
import type { Alias, Document, Node as YNode, YAMLMap, YAMLSeq } from 'yaml';
import { DEFAULT_NIC, DEFAULT_SEED, LabError, defaultMac } from './topology.js';
import type { CheckExpect, CheckSpec, Endpoint, ExerciseSpec, HostSpec, LinkSpec, SourcePos, Topology } from './topology.js';
import * as L from './limits.js';
import { parseDuration, parseLoss, parseRate } from './units.js';
import { canMigrate, migrateLab } from './migrate.js';

type N = YNode | null | undefined;

const TOP_KEYS = ['version', 'name', 'description', 'hosts', 'links', 'checks', 'seed', 'exercise'];
const HOST_KEYS = ['cpus', 'nics', 'exec'];
const NIC_KEYS = ['queues', 'rx_ring', 'tx_ring', 'mtu', 'mac'];
const LINK_KEYS = ['endpoints', 'delay', 'rate', 'loss'];
const CHECK_KEYS = ['host', 'run', 'background', 'expect', 'title', 'hint', 'points', 'hidden'];
const EXERCISE_KEYS = ['title', 'tasks', 'locked'];
const EXPECT_KEYS = ['exit', 'stdout_contains', 'stdout_matches'];
const HOST_NAME = /^[a-z][a-z0-9-]{0,14}$/;
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
const NESTING = `nesting deeper than ${L.MAX_DEPTH} levels`;

/** Parse and validate a lab file's text; `fileName` only labels messages. */
export function parseLab(text: string, fileName: string): Topology {
  return new LabReader(text, fileName).read();
}

/** UTF-8 length of a JS string (core/ has no TextEncoder in its lib). */
function utf8Bytes(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c < 0xdc00 ? 4 : c >= 0xdc00 && c < 0xe000 ? 0 : 3;
  }
  return n;
}

/**
 * The yaml parser slows down quadratically with flow nesting, so a cheap pass
 * over its lexer's tokens refuses `[[[[...` and `- - - - ...` before parsing.
 * Depth counted here (open flow collections + block indicators on the line)
 * is at most the real depth (give or take a `? k : v` line); the exact check
 * runs on the parsed tree.
 * Returns the offset where MAX_DEPTH is exceeded, or -1.
 */
function tooDeepAt(text: string): number {
  let off = 0, flow = 0, onLine = 0, inScalar = false;
  for (const tok of new Lexer().lex(text)) {
    if (tok === CST.SCALAR) { inScalar = true; continue; } // next token is scalar text
    if (tok === CST.DOCUMENT || tok === CST.FLOW_END) { flow = 0; continue; } // virtual tokens, no source
    if (inScalar) inScalar = false;
    else if (tok === '[' || tok === '{') flow++;
    else if (tok === ']' || tok === '}') flow = Math.max(0, flow - 1);
    else if (tok === '-' || tok === '?' || tok === ':') { if (flow === 0) onLine++; }
    else if (tok[0] === '\n' || tok[0] === '\r') onLine = 0;
    if (flow + onLine > L.MAX_DEPTH) return off;
    off += tok.length;
  }
  return -1;
}

class LabReader {
  private lc = new LineCounter();
  private warnings: string[] = [];
  private targets = new Map<Alias, YNode>();

  constructor(private text: string, private file: string) {
    this.lc.addNewLine(0);
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.lc.addNewLine(i + 1);
  }

  // ---- positions and messages

  private pos(where: N | number): SourcePos {
    const off = typeof where === 'number' ? where : (where?.range?.[0] ?? 0);
    return this.lc.linePos(off);
  }
  private fail(where: N | number, msg: string): never {
    const p = this.pos(where);
    throw new LabError(this.file, p.line, p.col, msg);
  }
  private warn(where: N | number, msg: string): void {
    const p = this.pos(where);
    this.warnings.push(`${this.file}:${p.line}:${p.col}: warning: ${msg}`);
  }
  /** A node's source text, shortened. */
  private src(n: N): string {
    const s = n?.range ? this.text.slice(n.range[0], n.range[1]) : '';
    return s.length > 40 ? s.slice(0, 37) + '...' : s;
  }
  /** How a bad value looks in a message. */
  private shown(n: N): string {
    const d = this.deref(n);
    return isMap(d) ? 'a mapping' : isSeq(d) ? 'a list' : `'${this.src(n)}'`;
  }

  // ---- typed access to nodes (aliases resolved; errors at the use site)

  private deref(n: N): N {
    return isAlias(n) ? this.targets.get(n) : n;
  }
  private isNull(n: N): boolean {
    const d = this.deref(n);
    return d == null || (isScalar(d) && d.value === null);
  }
  private map(n: N, what: string): YAMLMap {
    const d = this.deref(n);
    if (!isMap(d)) this.fail(n, `${what} must be a mapping, not ${this.shown(n)}`);
    return d;
  }
  private seq(n: N, what: string): YAMLSeq {
    const d = this.deref(n);
    if (!isSeq(d)) this.fail(n, `${what} must be a list, not ${this.shown(n)}`);
    return d;
  }
  private str(n: N, what: string): string {
    const d = this.deref(n);
    if (!isScalar(d) || typeof d.value !== 'string') this.fail(n, `${what} must be a string, not ${this.shown(n)}`);
    return d.value;
  }
  private int(n: N, what: string, min: number, max: number): number {
    const d = this.deref(n);
    const v = isScalar(d) ? d.value : undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      this.fail(n, `${what} must be an integer from ${min} to ${max}, not ${this.shown(n)}`);
    }
    return v;
  }
  private bool(n: N, what: string): boolean {
    const d = this.deref(n);
    if (!isScalar(d) || typeof d.value !== 'boolean') this.fail(n, `${what} must be true or false, not ${this.shown(n)}`);
    return d.value;
  }
  /** A string or number scalar, for unit-bearing values; unit errors get the position. */
  private unit<T>(n: N, what: string, conv: (v: string | number) => T): T {
    const d = this.deref(n);
    const v = isScalar(d) ? d.value : undefined;
    if (typeof v !== 'string' && typeof v !== 'number') this.fail(n, `${what} must be a string such as '2ms', not ${this.shown(n)}`);
    try {
      return conv(v);
    } catch (e) {
      return this.fail(n, (e as Error).message);
    }
  }
  /** Entries of a mapping in file order, keys as strings. */
  private entries(m: YAMLMap): { name: string; key: YNode; value: N }[] {
    return m.items.map((p) => {
      const k = this.deref(p.key as N);
      if (!isScalar(k) || k.value === null || typeof k.value === 'object') this.fail((p.key as N) ?? m, 'keys must be plain names');
      return { name: String(k.value), key: p.key as YNode, value: p.value as N };
    });
  }
  /** Fields of a mapping; unknown keys are errors; null values count as absent. */
  private fields(n: N, what: string, allowed: string[] | null): Map<string, YNode> {
    const out = new Map<string, YNode>();
    for (const e of this.entries(this.map(n, what))) {
      if (allowed && !allowed.includes(e.name)) this.fail(e.key, `unknown field '${e.name}'`);
      if (!this.isNull(e.value)) out.set(e.name, e.value as YNode);
    }
    return out;
  }

  // ---- document level guards

  private parseDoc(): Document {
    const bytes = this.text.length > L.MAX_FILE_BYTES ? this.text.length : utf8Bytes(this.text);
    if (bytes > L.MAX_FILE_BYTES) this.fail(0, `file too large: ${bytes} bytes (limit ${L.MAX_FILE_BYTES})`);
    const deep = tooDeepAt(this.text);
    if (deep >= 0) this.fail(deep, NESTING);
    const doc = parseDocument(this.text, { prettyErrors: false, uniqueKeys: true, version: '1.2' });
    const err = doc.errors[0];
    if (err) {
      const msg = err.code === 'RESOURCE_EXHAUSTION' ? NESTING
        : err.code === 'MULTIPLE_DOCS' ? 'a lab file holds a single YAML document' : err.message;
      this.fail(err.pos[0], msg);
    }
    for (const w of doc.warnings) this.warn(w.pos[0], w.message);
    this.checkDepth(doc.contents as N, 1);
    this.resolveAliases(doc);
    return doc;
  }

  private checkDepth(n: N, depth: number): void {
    if (!isMap(n) && !isSeq(n)) return;
    if (depth > L.MAX_DEPTH) this.fail(n, NESTING);
    for (const it of n.items) {
      if (isPair(it)) {
        this.checkDepth(it.key as N, depth + 1);
        this.checkDepth(it.value as N, depth + 1);
      } else this.checkDepth(it as N, depth + 1);
    }
  }

  /**
   * Resolve every alias once (to the last node with its anchor before it, as
   * the yaml package does) and refuse alias bombs: the dereferences a full
   * expansion would perform, counted with memoization, must stay under
   * MAX_ALIAS_COUNT.
   */
  private resolveAliases(doc: Document): void {
    const anchors = new Map<string, YNode>();
    const aliases: Alias[] = [];
    visit(doc, {
      Node: (_k, node, path) => {
        if (isAlias(node)) {
          const t = anchors.get(node.source);
          if (!t) this.fail(node, `unknown alias *${node.source} (an anchor &${node.source} must come before it)`);
          if (path.includes(t)) this.fail(node, `alias *${node.source} refers to a node that contains it`);
          this.targets.set(node, t);
          aliases.push(node);
        } else if (node.anchor) anchors.set(node.anchor, node);
      },
    });
    const memo = new Map<unknown, number>();
    const cost = (n: unknown): number => {
      let c = memo.get(n);
      if (c !== undefined) return c;
      if (isAlias(n)) c = 1 + cost(this.targets.get(n));
      else if (isPair(n)) c = cost(n.key) + cost(n.value);
      else if (isMap(n) || isSeq(n)) c = (n.items as unknown[]).reduce<number>((s, it) => s + cost(it), 0);
      else c = 0;
      memo.set(n, c);
      return c;
    };
    let total = 0;
    for (const a of aliases) {
      total += cost(a);
      if (total > L.MAX_ALIAS_COUNT) this.fail(a, `too many alias expansions (limit ${L.MAX_ALIAS_COUNT}): alias bombs are refused`);
    }
  }

  // ---- the lab

  read(): Topology {
    const doc = this.parseDoc();
    const root = doc.contents as N;
    if (this.isNull(root)) this.fail(0, "missing field 'version'");
    // Version first: a newer file should say so, not trip over its new fields.
    let top = this.fields(root, 'a lab file', null);
    const ver = top.get('version');
    if (!ver) this.fail(this.deref(root), "missing field 'version'");
    const v = this.deref(ver);
    // An older file is migrated in memory (core/lab/migrate.ts), never on disk.
    if (isScalar(v) && canMigrate(v.value)) {
      for (const note of migrateLab(this.deref(root), v.value)) this.warn(ver, `migrated from lab ${note}`);
      top = this.fields(root, 'a lab file', null);
    }
    if (!isScalar(v) || v.value !== 1) this.fail(ver, `unsupported lab version ${this.src(ver)} (this StackLab reads version 1)`);
    this.fields(root, 'a lab file', TOP_KEYS);

    const hosts = this.readHosts(top.get('hosts'));
    const links = this.readLinks(top.get('links'), hosts);
    for (const h of hosts.values()) this.readNics(h);
    const checks = this.readChecks(top.get('checks'), hosts);
    for (const h of hosts.values()) if (h.spec.ifaces.length === 0) this.warn(h.key, `host '${h.spec.name}' has no links`);
    this.scanAddresses([...hosts.values()]);

    const exercise = top.get('exercise') ? this.readExercise(top.get('exercise'), hosts) : undefined;
    const name = top.get('name');
    const desc = top.get('description');
    const seed = top.get('seed');
    return {
      version: 1,
      name: name ? this.str(name, 'name') : this.file.replace(/^.*[\\/]/, '').replace(/(\.lab)?\.(ya?ml|json)$/, ''),
      description: desc ? this.str(desc, 'description') : '',
      seed: seed ? this.int(seed, 'seed', 0, 0xffffffff) : DEFAULT_SEED,
      hosts: [...hosts.values()].map((h) => h.spec),
      links,
      checks,
      warnings: this.warnings,
      ...(exercise ? { exercise } : {}),
    };
  }

  private readHosts(n: N): Map<string, HostState> {
    const hosts = new Map<string, HostState>();
    if (!n) return hosts;
    for (const e of this.entries(this.map(n, 'hosts'))) {
      if (hosts.size >= L.MAX_HOSTS) this.fail(e.key, `too many hosts (limit ${L.MAX_HOSTS})`);
      if (!HOST_NAME.test(e.name)) {
        this.fail(e.key, `bad host name '${e.name}' (a lower-case letter, then up to 14 of a-z, 0-9, '-')`);
      }
      const f = this.isNull(e.value) ? new Map<string, YNode>() : this.fields(e.value, `host '${e.name}'`, HOST_KEYS);
      const cpus = f.get('cpus');
      const spec: HostSpec = { name: e.name, index: hosts.size, cpus: cpus ? this.int(cpus, 'cpus', 1, 64) : 1, ifaces: [], exec: [], execPos: [] };
      const exec = f.get('exec');
      const lines: YNode[] = [];
      if (exec) {
        for (const line of this.seq(exec, 'exec').items as N[]) {
          if (spec.exec.length >= L.MAX_EXEC_PER_HOST) this.fail(line, `too many exec lines (limit ${L.MAX_EXEC_PER_HOST})`);
          const cmd = this.str(line, 'an exec line');
          if (!cmd.trim()) this.fail(line, 'empty exec line');
          spec.exec.push(cmd);
          spec.execPos!.push(this.pos(line));
          lines.push(line as YNode);
        }
      }
      hosts.set(e.name, { spec, key: e.key, nics: f.get('nics'), lines });
    }
    return hosts;
  }

  private readLinks(n: N, hosts: Map<string, HostState>): LinkSpec[] {
    const links: LinkSpec[] = [];
    if (!n) return links;
    const used = new Map<string, YNode>(); // "host:ifname" -> endpoint node
    for (const item of this.seq(n, 'links').items as N[]) {
      if (links.length >= L.MAX_LINKS) this.fail(item, `too many links (limit ${L.MAX_LINKS})`);
      const f = this.fields(item, 'a link', LINK_KEYS);
      const epsNode = f.get('endpoints');
      if (!epsNode) this.fail(this.deref(item), "missing field 'endpoints'");
      const eps = this.seq(epsNode, 'endpoints').items as N[];
      if (eps.length !== 2) this.fail(epsNode, `a link has exactly two endpoints, not ${eps.length}`);
      const endpoints = eps.map((ep) => {
        const s = this.str(ep, 'an endpoint');
        const i = s.indexOf(':');
        const [host, ifname] = i < 0 ? ['', ''] : [s.slice(0, i), s.slice(i + 1)];
        if (!host || !ifname) this.fail(ep, `endpoint '${s}' is not host:ifname`);
        const h = hosts.get(host);
        if (!h) this.fail(ep, `unknown host '${host}' in endpoint '${s}'`);
        const bad = badIfname(ifname);
        if (bad) this.fail(ep, `bad interface name '${ifname}': ${bad}`);
        const prev = used.get(`${host}:${ifname}`);
        if (prev) this.fail(ep, `duplicate interface ${host}:${ifname} (already used at line ${this.pos(prev).line})`);
        used.set(`${host}:${ifname}`, ep as YNode);
        const { spec } = h;
        spec.ifaces.push({ name: ifname, nic: { ...DEFAULT_NIC, mac: defaultMac(spec.index + 1, spec.ifaces.length + 1) } });
        return { host, ifname } as Endpoint;
      });
      const delay = f.get('delay');
      const rate = f.get('rate');
      const loss = f.get('loss');
      const delayNs = delay ? this.unit(delay, 'delay', parseDuration) : 0;
      if (delayNs > L.MAX_DELAY_NS) this.fail(delay, `delay ${this.shown(delay)} is longer than ${L.MAX_DELAY_NS / 1e9}s`);
      const rateBps = rate ? this.unit(rate, 'rate', parseRate) : 0;
      if (rateBps > L.MAX_RATE_BPS) this.fail(rate, `rate ${this.shown(rate)} is above ${L.MAX_RATE_BPS / 1e12}tbit`);
      const lossPct = loss ? this.unit(loss, 'loss', parseLoss) : 0;
      links.push({ endpoints: endpoints as [Endpoint, Endpoint], delayNs, rateBps, lossPct });
    }
    return links;
  }

  private readNics(h: HostState): void {
    if (!h.nics) return;
    for (const e of this.entries(this.map(h.nics, 'nics'))) {
      const iface = h.spec.ifaces.find((i) => i.name === e.name);
      if (!iface) this.fail(e.key, `no link creates interface ${h.spec.name}:${e.name}`);
      if (this.isNull(e.value)) continue;
      const f = this.fields(e.value, `nic '${e.name}'`, NIC_KEYS);
      const nic = iface.nic;
      const get = (k: 'queues' | 'rx_ring' | 'tx_ring' | 'mtu', min: number, max: number) => {
        const v = f.get(k);
        if (v) nic[k] = this.int(v, k, min, max);
      };
      get('queues', 1, 64);
      get('rx_ring', 64, 4096);
      get('tx_ring', 64, 4096);
      get('mtu', 68, 65535);
      const mac = f.get('mac');
      if (mac) {
        const s = this.str(mac, 'mac').toLowerCase();
        // Bit 0 of the first octet set means multicast/broadcast.
        if (!MAC.test(s) || parseInt(s.slice(0, 2), 16) & 1 || s === '00:00:00:00:00:00') {
          this.fail(mac, `bad MAC ${this.shown(mac)} (a unicast address such as 02:00:00:00:01:01)`);
        }
        nic.mac = s;
      }
    }
  }

  private readChecks(n: N, hosts: Map<string, HostState>): CheckSpec[] {
    const checks: CheckSpec[] = [];
    if (!n) return checks;
    for (const item of this.seq(n, 'checks').items as N[]) {
      if (checks.length >= L.MAX_CHECKS) this.fail(item, `too many checks (limit ${L.MAX_CHECKS})`);
      const f = this.fields(item, 'a check', CHECK_KEYS);
      const hostNode = f.get('host');
      const runNode = f.get('run');
      if (!hostNode) this.fail(this.deref(item), "missing field 'host'");
      if (!runNode) this.fail(this.deref(item), "missing field 'run'");
      const host = this.str(hostNode, 'host');
      if (!hosts.has(host)) this.fail(hostNode, `unknown host '${host}'`);
      const run = this.str(runNode, 'run');
      if (!run.trim()) this.fail(runNode, 'empty command in run');
      const check: CheckSpec = { host, run };
      const bg = f.get('background');
      if (bg) check.background = this.bool(bg, 'background');
      const ex = f.get('expect');
      if (ex) {
        const g = this.fields(ex, 'expect', EXPECT_KEYS);
        const expect: CheckExpect = {};
        const exit = g.get('exit');
        const contains = g.get('stdout_contains');
        const matches = g.get('stdout_matches');
        if (exit) expect.exit = this.int(exit, 'exit', 0, 255);
        if (contains) expect.stdout_contains = this.str(contains, 'stdout_contains');
        if (matches) {
          const re = this.str(matches, 'stdout_matches');
          try {
            new RegExp(re);
          } catch (e) {
            const why = (e as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');
            this.fail(matches, `bad regular expression '${re}': ${why}`);
          }
          expect.stdout_matches = re;
        }
        check.expect = expect;
      }
      this.readCheckGrading(f, check);
      checks.push(check);
    }
    return checks;
  }

  /** Exercise fields of a check: title, hint, points, hidden (docs/exercises.md). */
  private readCheckGrading(f: Map<string, YNode>, check: CheckSpec): void {
    const title = f.get('title');
    const hint = f.get('hint');
    const points = f.get('points');
    const hidden = f.get('hidden');
    if (title) check.title = this.str(title, 'title');
    if (hint) check.hint = this.str(hint, 'hint');
    if (points) check.points = this.int(points, 'points', 0, 1000);
    if (hidden) check.hidden = this.bool(hidden, 'hidden');
    if ((points || hidden) && !check.expect) this.fail(points ?? hidden, 'a graded check needs an expect');
  }

  /** The optional top-level `exercise`: title, tasks text, locked hosts or 'links'. */
  private readExercise(n: N, hosts: Map<string, HostState>): ExerciseSpec {
    const f = this.fields(n, 'exercise', EXERCISE_KEYS);
    const title = f.get('title');
    if (!title) this.fail(this.deref(n), "missing field 'title'");
    const ex: ExerciseSpec = { title: this.str(title, 'title'), tasks: '', locked: [] };
    const tasks = f.get('tasks');
    if (tasks) ex.tasks = this.str(tasks, 'tasks');
    const locked = f.get('locked');
    if (locked) {
      for (const item of this.seq(locked, 'locked').items as N[]) {
        const v = this.str(item, 'a locked entry');
        if (v !== 'links' && !hosts.has(v)) this.fail(item, `locked: '${v}' is neither a host of this lab nor 'links'`);
        if (ex.locked.includes(v)) this.fail(item, `locked: '${v}' is listed twice`);
        ex.locked.push(v);
      }
    }
    return ex;
  }

  /**
   * Warn about an IPv4 address given twice (on two hosts or on one), reading
   * only `ip [-4] a[ddress] a[dd] [local] ADDR[/N] ...` exec lines. A malformed
   * address there is an error: the boot would fail on it anyway.
   */
  private scanAddresses(hosts: HostState[]): void {
    const seen = new Map<string, { host: string; line: number }>();
    for (const h of hosts) {
      h.spec.exec.forEach((cmd, i) => {
        const t = cmd.trim().split(/\s+/);
        let k = t[1] === '-4' ? 2 : 1;
        if (t[0] !== 'ip' || !isPrefix(t[k++], 'address') || !isPrefix(t[k++], 'add')) return;
        if (t[k] === 'local') k++;
        const a = t[k];
        if (!a || !/^\d/.test(a) || a.includes(':')) return; // not IPv4 (IPv6, a keyword, ...)
        let idx = 0; // where token k starts in cmd: find the tokens in order
        for (let j = 0; j < k; j++) idx = cmd.indexOf(t[j], idx) + t[j].length;
        const at = this.offsetIn(h.lines[i], cmd, cmd.indexOf(a, idx));
        const m = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})(?:\/(0|[1-9]\d?))?$/.exec(a);
        if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5] ?? 0) > 32) this.fail(at, `bad address '${a}'`);
        const addr = m.slice(1, 5).join('.');
        const prev = seen.get(addr);
        if (prev) this.warn(at, `address ${addr} is already assigned on ${prev.host} (line ${prev.line})`);
        else seen.set(addr, { host: h.spec.name, line: this.pos(at).line });
      });
    }
  }

  /** Offset of value[idx] in the source when the scalar is written verbatim (maybe quoted); else its start. */
  private offsetIn(node: YNode, value: string, idx: number): number {
    const start = node.range?.[0] ?? 0;
    const q = this.text[start] === '"' || this.text[start] === "'" ? 1 : 0;
    return this.text.startsWith(value, start + q) ? start + q + idx : start;
  }
}

interface HostState {
  spec: HostSpec;
  key: YNode;
  nics: YNode | undefined;
  /** exec line nodes, parallel to spec.exec. */
  lines: YNode[];
}

function isPrefix(tok: string | undefined, word: string): boolean {
  return !!tok && word.startsWith(tok);
}

/** Why `name` is not a valid Linux interface name (dev_valid_name), or ''. */
function badIfname(name: string): string {
  if (name.length > 15) return 'longer than 15 characters';
  if (name === '.' || name === '..' || /[/:\s]/.test(name)) return "'/', ':', whitespace, '.' and '..' are not allowed";
  if (name === 'lo') return "'lo' is the loopback device every host already has";
  return '';
}
