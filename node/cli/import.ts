// stacklab import FILE.clab.yml > lab.yaml
// Reads a containerlab topology whose nodes are kind linux and prints the
// lab file: nodes become hosts (their exec lines the boot commands), links
// become links. Lines that only set up interfaces as the lab spec already
// does (IPv6 off, lo up, MAC/MTU, link up, netem) are folded back into the
// lab's nics and link fields. Every field that has no meaning here is
// reported on stderr as a warning, one per field.
import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { parseLab } from '../../core/lab/parse.js';
import { defaultMac } from '../../core/lab/topology.js';
import { fail } from './capture.js';

type Obj = Record<string, any>;
const NODE_FIELDS_USED = new Set(['kind', 'exec', 'cpu']);
/** Fields that only matter to containers, not to a simulated kernel. */
const NODE_FIELDS_IGNORED_QUIETLY = new Set(['network-mode']);

export function importContainerlab(text: string, file: string, warn: (m: string) => void): string {
  let doc: Obj;
  try {
    doc = parse(text) as Obj;
  } catch (e) {
    fail(`${file}: ${(e as Error).message}`);
  }
  if (!doc || typeof doc !== 'object' || !doc.topology?.nodes) fail(`${file}: not a containerlab topology (no topology.nodes)`);
  for (const k of Object.keys(doc)) if (k !== 'name' && k !== 'topology') warn(`${file}: warning: '${k}' not used`);
  const topo = doc.topology as Obj;
  for (const k of Object.keys(topo)) if (!['nodes', 'links', 'defaults', 'kinds'].includes(k)) warn(`${file}: warning: 'topology.${k}' not used`);
  const defaults: Obj = { ...(topo.kinds?.linux ?? {}), ...(topo.defaults ?? {}) };
  for (const k of Object.keys(defaults)) if (!NODE_FIELDS_USED.has(k) && !NODE_FIELDS_IGNORED_QUIETLY.has(k)) warn(`${file}: warning: 'topology.defaults.${k}' not used`);
  for (const k of Object.keys(topo.kinds ?? {})) if (k !== 'linux') warn(`${file}: warning: 'topology.kinds.${k}' not used`);

  const hosts: Obj = {};
  const nics: Record<string, Obj> = {};
  const netem: Record<string, Obj> = {};
  for (const [name, raw] of Object.entries(topo.nodes as Obj)) {
    const n: Obj = { ...defaults, ...(raw ?? {}) };
    const kind = n.kind ?? 'linux';
    if (kind !== 'linux') {
      warn(`${file}: warning: node '${name}' is kind ${kind}, not linux: left out with its links`);
      continue;
    }
    for (const k of Object.keys(raw ?? {})) if (!NODE_FIELDS_USED.has(k) && !NODE_FIELDS_IGNORED_QUIETLY.has(k)) warn(`${file}: warning: 'topology.nodes.${name}.${k}' not used`);
    const h: Obj = {};
    if (typeof n.cpu === 'number' && n.cpu > 1) h.cpus = Math.floor(n.cpu);
    const exec: string[] = [];
    // Only the leading lines can be the interface set-up an export writes.
    let setup = true;
    for (const line of (n.exec ?? []) as string[]) {
      const c = String(line).trim();
      let m: RegExpExecArray | null;
      if (!setup) {
        exec.push(c);
        continue;
      }
      if (/^sysctl -q?w net\.ipv6\.conf\.all\.disable_ipv6=1 net\.ipv6\.conf\.default\.disable_ipv6=1$/.test(c) || c === 'ip link set lo up') continue;
      if ((m = /^ip link set (\S+) address ([0-9a-f:]{17}) mtu (\d+)$/.exec(c))) {
        (nics[`${name}:${m[1]}`] ??= {}).mac = m[2];
        nics[`${name}:${m[1]}`].mtu = Number(m[3]);
        continue;
      }
      if ((m = /^tc qdisc add dev (\S+) root netem (.*)$/.exec(c))) {
        const a = m[2].split(/\s+/);
        const o: Obj = {};
        for (let i = 0; i + 1 < a.length; i += 2) if (['delay', 'rate', 'loss'].includes(a[i])) o[a[i]] = a[i + 1];
        netem[`${name}:${m[1]}`] = o;
        continue;
      }
      if (/^ip link set \S+ up$/.test(c)) continue;
      setup = false;
      exec.push(c);
    }
    if (exec.length) h.exec = exec;
    hosts[name] = h;
  }
  const links: Obj[] = [];
  const order: Record<string, string[]> = {};
  (topo.links ?? []).forEach((l: Obj, i: number) => {
    for (const k of Object.keys(l)) if (k !== 'endpoints' && k !== 'type') warn(`${file}: warning: 'topology.links[${i}].${k}' not used`);
    const eps: string[] = (l.endpoints ?? []).map((e: any, j: number) => {
      if (typeof e === 'string') return e;
      for (const k of Object.keys(e)) if (!['node', 'interface', 'mac'].includes(k)) warn(`${file}: warning: 'topology.links[${i}].endpoints[${j}].${k}' not used`);
      if (e.mac) (nics[`${e.node}:${e.interface}`] ??= {}).mac = e.mac;
      return `${e.node}:${e.interface}`;
    });
    if (eps.length !== 2 || eps.some((e) => !hosts[e.split(':')[0]])) {
      warn(`${file}: warning: link ${i + 1} (${eps.join(', ')}) not used: it needs two linux nodes`);
      return;
    }
    const link: Obj = { endpoints: eps };
    const ne = netem[eps[0]] ?? netem[eps[1]];
    if (ne?.delay) link.delay = ne.delay;
    if (ne?.rate) link.rate = ne.rate;
    if (ne?.loss) link.loss = ne.loss;
    for (const e of eps) (order[e.split(':')[0]] ??= []).push(e);
    links.push(link);
  });
  // nics: only what differs from the lab defaults (MAC by position, MTU 1500).
  const names = Object.keys(hosts);
  for (const [key, v] of Object.entries(nics)) {
    const [h, ifname] = key.split(':');
    if (!hosts[h]) continue;
    const k = names.indexOf(h) + 1;
    const n = (order[h] ?? []).indexOf(key) + 1;
    const nic: Obj = {};
    if (v.mac && v.mac !== defaultMac(k, n)) nic.mac = v.mac;
    if (v.mtu && v.mtu !== 1500) nic.mtu = v.mtu;
    if (Object.keys(nic).length) ((hosts[h].nics ??= {})[ifname] = nic);
  }
  for (const h of names) if (!Object.keys(hosts[h]).length) hosts[h] = null;
  const lab = { version: 1, name: String(doc.name ?? 'imported'), description: `Imported from ${file.replace(/^.*\//, '')}`, hosts, links };
  const out = stringify(lab, { lineWidth: 0 }).replace(/: null$/gm, ': {}');
  parseLab(out, 'imported.lab.yaml'); // what we print must be a valid lab
  return out;
}

export function main(args: string[]): void {
  const file = args.find((a) => !a.startsWith('--'));
  if (!file) fail('usage: stacklab import FILE.clab.yml > lab.yaml');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    fail(`${file}: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
  process.stdout.write(importContainerlab(text, file, (m) => process.stderr.write(m + '\n')));
}
