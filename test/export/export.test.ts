// Exports and import: containerlab files valid against (the used subset of)
// containerlab's schema and importable back into the same lab; Kathará
// lab.conf and startup files; import warnings per unused field; and the
// netns script run on this machine's kernel, whose outputs for every public
// oracle lab's checks equal the simulator's (as root where namespaces work;
// skipped with a message otherwise).
import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync, writeFileSync, mkdtempSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseLab } from '../../core/lab/parse.js';
import type { Topology } from '../../core/lab/topology.js';
import { LabRunner } from '../../core/runtime/lab_runner.js';
import { exportContainerlab, exportKathara, exportNetns } from '../../node/cli/export.js';
import { importContainerlab } from '../../node/cli/import.js';
import { SHARED_ORACLE, view } from '../support/oracle.js';

const LABS = join(__dirname, '../../labs');
const PUBLIC = readdirSync(join(SHARED_ORACLE, 'cases')).filter((f) => f.endsWith('.lab.yaml')).sort();
const load = (p: string) => parseLab(readFileSync(p, 'utf8'), p);
const ALL: [string, Topology][] = [...PUBLIC.map((f) => [f, load(join(SHARED_ORACLE, 'cases', f))] as [string, Topology]), ...readdirSync(LABS).filter((f) => f.endsWith('.lab.yaml')).map((f) => [f, load(join(LABS, f))] as [string, Topology])];

// ---- a small JSON Schema (draft-07) validator for the keywords the fixture uses
type Schema = Record<string, any>;
function validate(schema: Schema, root: Schema, v: unknown, path = '$'): string[] {
  if (schema.$ref) return validate(root.definitions[schema.$ref.replace('#/definitions/', '')], root, v, path);
  const errs: string[] = [];
  if (schema.oneOf) {
    const ok = schema.oneOf.filter((s: Schema) => validate(s, root, v, path).length === 0).length;
    if (ok !== 1) errs.push(`${path}: matches ${ok} of oneOf (${schema.oneOf.flatMap((s: Schema) => validate(s, root, v, path)).join('; ')})`);
    return errs;
  }
  const t = v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v;
  if (schema.type && !(schema.type === t || (schema.type === 'number' && t === 'integer'))) return [`${path}: ${t} is not ${schema.type}`];
  if (schema.enum && !schema.enum.includes(v)) errs.push(`${path}: ${JSON.stringify(v)} not in enum`);
  if (schema.pattern && typeof v === 'string' && !new RegExp(schema.pattern, 'u').test(v)) errs.push(`${path}: '${v}' does not match ${schema.pattern}`);
  if (Array.isArray(v)) {
    if (schema.minItems !== undefined && v.length < schema.minItems) errs.push(`${path}: fewer than ${schema.minItems} items`);
    if (schema.uniqueItems && new Set(v.map((x) => JSON.stringify(x))).size !== v.length) errs.push(`${path}: items not unique`);
    if (schema.items) v.forEach((x, i) => errs.push(...validate(schema.items, root, x, `${path}[${i}]`)));
  } else if (t === 'object') {
    const o = v as Record<string, unknown>;
    for (const r of schema.required ?? []) if (!(r in o)) errs.push(`${path}: missing ${r}`);
    for (const [k, x] of Object.entries(o)) {
      const p = `${path}.${k}`;
      if (schema.properties?.[k]) errs.push(...validate(schema.properties[k], root, x, p));
      else if (schema.patternProperties) {
        for (const [re, s] of Object.entries(schema.patternProperties)) if (new RegExp(re).test(k)) errs.push(...validate(s as Schema, root, x, p));
      } else if (schema.additionalProperties === false) errs.push(`${p}: additional property`);
    }
  }
  return errs;
}
const CLAB_SCHEMA = JSON.parse(readFileSync(join(__dirname, 'fixtures/clab.schema.subset.json'), 'utf8'));

/** The parts of a topology an export must keep. */
function essence(t: Topology) {
  // NIC hardware (queues, rings) has no equivalent on a veth: not exported.
  const ifaces = (h: Topology['hosts'][number]) => h.ifaces.map((i) => ({ name: i.name, mac: i.nic.mac, mtu: i.nic.mtu }));
  return { hosts: t.hosts.map((h) => ({ name: h.name, cpus: h.cpus, exec: h.exec, ifaces: ifaces(h) })), links: t.links };
}

describe('containerlab export', () => {
  it('the validator refuses what the schema refuses', () => {
    expect(validate(CLAB_SCHEMA, CLAB_SCHEMA, { name: 'x', topology: { nodes: { a: { kind: 'linux', colour: 'red' } } } })).toEqual(['$.topology.nodes.a: matches 0 of oneOf ($.topology.nodes.a: object is not null; $.topology.nodes.a.colour: additional property)']);
    expect(validate(CLAB_SCHEMA, CLAB_SCHEMA, { topology: { nodes: {}, links: [{ endpoints: ['a:eth0', 'b'] }] } })).toEqual(['$: missing name', "$.topology.links[0].endpoints[1]: 'b' does not match ^\\S+:\\S+$"]);
  });
  for (const [f, t] of ALL) {
    it(`${f}: valid against the schema, and imports back to the same lab`, () => {
      const text = exportContainerlab(t, 'alpine:3.20');
      expect(validate(CLAB_SCHEMA, CLAB_SCHEMA, parse(text))).toEqual([]);
      const warnings: string[] = [];
      const back = parseLab(importContainerlab(text, 'x.clab.yml', (w) => warnings.push(w)), 'back.lab.yaml');
      expect(essence(back)).toEqual(essence(t));
      expect(warnings).toEqual(t.hosts.map((h) => `x.clab.yml: warning: 'topology.nodes.${h.name}.image' not used`));
    });
  }
});

describe('containerlab import', () => {
  it('warns once per field it does not use, and leaves out non-linux nodes', () => {
    const clab = `name: demo
mgmt:
  network: custom
topology:
  defaults:
    image: alpine
  nodes:
    a:
      kind: linux
      binds: [x:/y]
      exec:
        - ip addr add 10.0.0.1/24 dev eth1
    b:
      kind: linux
      exec: [ip addr add 10.0.0.2/24 dev eth1]
    sw:
      kind: bridge
  links:
    - endpoints: [a:eth1, b:eth1]
      mtu: 9000
    - endpoints: [a:eth2, sw:e1]
`;
    const w: string[] = [];
    const lab = parseLab(importContainerlab(clab, 'demo.clab.yml', (m) => w.push(m)), 'demo.lab.yaml');
    expect(w).toEqual([
      "demo.clab.yml: warning: 'mgmt' not used",
      "demo.clab.yml: warning: 'topology.defaults.image' not used",
      "demo.clab.yml: warning: 'topology.nodes.a.binds' not used",
      "demo.clab.yml: warning: node 'sw' is kind bridge, not linux: left out with its links",
      "demo.clab.yml: warning: 'topology.links[0].mtu' not used",
      'demo.clab.yml: warning: link 2 (a:eth2, sw:e1) not used: it needs two linux nodes',
    ]);
    expect(lab.hosts.map((h) => [h.name, h.exec])).toEqual([['a', ['ip addr add 10.0.0.1/24 dev eth1']], ['b', ['ip addr add 10.0.0.2/24 dev eth1']]]);
    expect(lab.links.map((l) => l.endpoints.map((e) => `${e.host}:${e.ifname}`))).toEqual([['a:eth1', 'b:eth1']]);
  });
});

describe('kathara export', () => {
  it('writes lab.conf with collision domains and a startup file per host', () => {
    const t = load(join(LABS, 'router-chain.lab.yaml'));
    const files = exportKathara(t, 'kathara/base');
    expect(Object.keys(files).sort()).toEqual(['h1.startup', 'h2.startup', 'lab.conf', 'r1.startup']);
    expect(files['lab.conf']).toContain('h1[0]="link1"\nh1[image]="kathara/base"\n');
    expect(files['lab.conf']).toContain('r1[0]="link1"\nr1[1]="link2"\n');
    expect(files['lab.conf']).toContain('h2[0]="link2"\n');
    expect(files['r1.startup']).toBe(
      'sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1\nip link set lo up\nip link set eth0 address 02:00:00:00:02:01 mtu 1500\nip link set eth0 up\nip link set eth1 address 02:00:00:00:02:02 mtu 1500\ntc qdisc add dev eth1 root netem delay 2ms\nip link set eth1 up\nsysctl -w net.ipv4.ip_forward=1\nip addr add 10.0.1.1/24 dev eth0\nip addr add 10.0.2.1/24 dev eth1\n',
    );
  });
});

// ---- the netns script on the real kernel

const PREFIX = `sl${process.pid % 100000}-`;
function namespacesWork(): string | null {
  if (process.getuid?.() !== 0) return 'not root';
  const probe = `${PREFIX}probe`;
  const r = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
  if (r.status !== 0) return `ip netns add failed: ${(r.stderr || r.error?.message || '').trim()}`;
  spawnSync('ip', ['netns', 'del', probe]);
  for (const tool of ['ping', 'traceroute', 'nc', 'tc']) if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is not installed`;
  return null;
}
const NO_NETNS = namespacesWork();
if (NO_NETNS) console.warn(`netns export test skipped: ${NO_NETNS}`);

function runChecksOnKernel(t: Topology, prefix: string) {
  const results: { host: string; run: string; background?: boolean; exit?: number; stdout?: string; stderr?: string }[] = [];
  for (const c of t.checks) {
    const args = ['netns', 'exec', prefix + c.host, 'sh', '-c', c.run];
    if (c.background) {
      spawn('ip', args, { stdio: 'ignore', detached: true }).unref();
      spawnSync('sleep', ['0.3']);
      results.push({ host: c.host, run: c.run, background: true });
      continue;
    }
    const r = spawnSync('ip', args, { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] });
    results.push(r.error ? { host: c.host, run: c.run, exit: 124, stdout: r.stdout ?? '', stderr: 'timeout' } : { host: c.host, run: c.run, exit: r.status ?? 1, stdout: r.stdout, stderr: r.stderr });
  }
  return results;
}

describe.skipIf(!!NO_NETNS)('netns export on the real kernel', () => {
  for (const f of PUBLIC) {
    it(`${f}: the kernel's outputs equal the simulator's`, { timeout: 300_000 }, () => {
      const t = load(join(SHARED_ORACLE, 'cases', f));
      const expected = JSON.parse(readFileSync(join(SHARED_ORACLE, 'expected', f.replace('.lab.yaml', '.json')), 'utf8')).results;
      const script = join(mkdtempSync(join(tmpdir(), 'stacklab-netns-')), 'lab.sh');
      writeFileSync(script, exportNetns(t, PREFIX), { mode: 0o755 });
      let kernel;
      try {
        const up = spawnSync('bash', [script, 'up'], { encoding: 'utf8' });
        expect(up.status, up.stderr).toBe(0);
        kernel = runChecksOnKernel(t, PREFIX);
      } finally {
        spawnSync('bash', [script, 'down']);
      }
      const runner = new LabRunner(t);
      try {
        runner.boot();
      } catch (e) {
        console.warn(`${f}: the simulator cannot boot it yet (${(e as Error).message}); nothing to compare`);
        return;
      }
      const sim = runner.runChecks();
      let compared = 0;
      t.checks.forEach((c, i) => {
        // Checks the simulator does not model yet (oracle gaps) say nothing about the export.
        if (view(sim[i]) !== view(expected[i])) return;
        compared++;
        expect(view(kernel![i]), `${c.host}$ ${c.run}`).toBe(view(sim[i]));
      });
      expect(compared).toBeGreaterThan(0);
    });
  }
});
