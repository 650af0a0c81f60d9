// Topology edits as changes to the lab's YAML text, through the yaml
// package's Document so comments and layout elsewhere survive. Every function
// takes the current text and returns the new text; the server re-parses it.
import { Document, isMap, isSeq, parseDocument, YAMLMap, YAMLSeq } from 'yaml';
import type { NodeKind } from '../bridge/protocol.js';

const OPTS = { maxAliasCount: 100 } as const;

export class EditError extends Error {
  override name = 'EditError';
}

function load(text: string): Document {
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length) throw new EditError(`the lab file does not parse: ${doc.errors[0].message}`);
  return doc;
}

function dump(doc: Document): string {
  return doc.toString({ lineWidth: 80, flowCollectionPadding: false });
}

function hostsMap(doc: Document): YAMLMap {
  let hosts = doc.get('hosts');
  if (!isMap(hosts)) {
    hosts = new YAMLMap();
    doc.set('hosts', hosts);
  }
  return hosts as YAMLMap;
}

function linksSeq(doc: Document): YAMLSeq {
  let links = doc.get('links');
  if (!isSeq(links)) {
    links = new YAMLSeq();
    doc.set('links', links);
  }
  return links as YAMLSeq;
}

function hostNames(doc: Document): string[] {
  return hostsMap(doc).items.map((p) => String((p.key as { value?: unknown })?.value ?? p.key));
}

function endpointsOf(doc: Document): string[] {
  const out: string[] = [];
  for (const l of linksSeq(doc).items) {
    const eps = isMap(l) ? l.get('endpoints') : null;
    if (isSeq(eps)) for (const e of eps.items) out.push(String((e as { value?: unknown })?.value ?? e));
  }
  return out;
}

/** Do two lab texts hold the same data (ignoring comments, quoting, folding)? */
export function sameContent(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    const da = parseDocument(a);
    const db = parseDocument(b);
    if (da.errors.length || db.errors.length) return false;
    return JSON.stringify(da.toJS(OPTS)) === JSON.stringify(db.toJS(OPTS));
  } catch {
    return false;
  }
}

/** A free name: prefix + the smallest positive number not taken. */
export function freeName(taken: readonly string[], prefix: string): string {
  for (let i = 1; ; i++) if (!taken.includes(`${prefix}${i}`)) return `${prefix}${i}`;
}

/** The first ethN a host does not use yet. */
export function freeIfname(text: string, host: string): string {
  const used = endpointsOf(load(text))
    .filter((e) => e.startsWith(host + ':'))
    .map((e) => e.slice(host.length + 1));
  for (let i = 0; ; i++) if (!used.includes(`eth${i}`)) return `eth${i}`;
}

const PREFIX: Record<NodeKind, string> = { host: 'h', router: 'r', switch: 's' };
const BOOT: Record<NodeKind, string[]> = {
  host: [],
  router: ['sysctl -w net.ipv4.ip_forward=1'],
  switch: ['ip link add br0 type bridge', 'ip link set br0 up'],
};

export function addNode(text: string, kind: NodeKind, name?: string): { text: string; name: string } {
  const doc = load(text);
  const hosts = hostsMap(doc);
  const n = name ?? freeName(hostNames(doc), PREFIX[kind]);
  if (hosts.has(n)) throw new EditError(`there is already a host named ${n}`);
  const spec: Record<string, unknown> = {};
  if (kind === 'router') spec.cpus = 2;
  spec.exec = BOOT[kind];
  hosts.set(n, doc.createNode(spec));
  return { text: dump(doc), name: n };
}

function execSeq(doc: Document, host: string): YAMLSeq {
  const h = hostsMap(doc).get(host);
  if (!isMap(h)) throw new EditError(`no host named ${host}`);
  let exec = h.get('exec');
  if (!isSeq(exec)) {
    exec = new YAMLSeq();
    h.set('exec', exec);
  }
  return exec as YAMLSeq;
}

/** Link two hosts on new interfaces; a switch also enslaves its new port to br0. */
export function connect(text: string, a: string, b: string): { text: string; a: string; b: string } {
  if (a === b) throw new EditError('a link needs two different hosts');
  const ia = freeIfname(text, a);
  const ib = freeIfname(text, b);
  const doc = load(text);
  const hosts = hostsMap(doc);
  for (const h of [a, b]) if (!hosts.has(h)) throw new EditError(`no host named ${h}`);
  const link = doc.createNode({ endpoints: [`${a}:${ia}`, `${b}:${ib}`] });
  (link.get('endpoints', true) as unknown as YAMLSeq).flow = true;
  linksSeq(doc).add(link);
  for (const [h, i] of [[a, ia], [b, ib]] as const) {
    const exec = execSeq(doc, h);
    const lines = exec.items.map((x) => String((x as { value?: unknown })?.value ?? x));
    if (lines.some((l) => /\btype\s+bridge\b/.test(l))) exec.add(`ip link set ${i} master br0`);
  }
  return { text: dump(doc), a: `${a}:${ia}`, b: `${b}:${ib}` };
}

/** Remove a host with its links and checks. */
export function removeNode(text: string, name: string): string {
  const doc = load(text);
  if (!hostsMap(doc).delete(name)) throw new EditError(`no host named ${name}`);
  const links = linksSeq(doc);
  links.items = links.items.filter((l) => {
    const eps = isMap(l) ? l.get('endpoints') : null;
    return !(isSeq(eps) && eps.items.some((e) => String((e as { value?: unknown })?.value ?? e).startsWith(name + ':')));
  });
  const checks = doc.get('checks');
  if (isSeq(checks)) checks.items = checks.items.filter((c) => !(isMap(c) && c.get('host') === name));
  return dump(doc);
}

export function removeLink(text: string, index: number): string {
  const doc = load(text);
  const links = linksSeq(doc);
  if (index < 0 || index >= links.items.length) throw new EditError(`no link number ${index + 1}`);
  links.items.splice(index, 1);
  return dump(doc);
}

/** Set a host's CPU count and boot commands. */
export function setHost(text: string, name: string, cpus: number, exec: string[]): string {
  const doc = load(text);
  const h = hostsMap(doc).get(name);
  if (!isMap(h)) throw new EditError(`no host named ${name}`);
  if (!Number.isInteger(cpus) || cpus < 1) throw new EditError('cpus must be a positive integer');
  if (cpus === 1) h.delete('cpus');
  else h.set('cpus', cpus);
  h.set('exec', doc.createNode(exec.map((l) => l.trim()).filter((l) => l.length > 0)));
  return dump(doc);
}
