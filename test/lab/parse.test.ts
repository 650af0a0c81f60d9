import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parseLab } from '../../core/lab/parse.js';
import { LabError } from '../../core/lab/topology.js';
import { MAX_FILE_BYTES } from '../../core/lab/limits.js';

const CASES = '/work/shared/oracle/cases';
const fixture = (f: string) => readFileSync(new URL(`./fixtures/${f}`, import.meta.url), 'utf8');

/** The message parseLab throws for `text`, as file:line:col: detail. */
function err(text: string, file = 't.lab.yaml'): string {
  try {
    parseLab(text, file);
  } catch (e) {
    expect(e).toBeInstanceOf(LabError);
    return (e as LabError).message;
  }
  throw new Error('parsed without error');
}

const lab = (rest: string) => `version: 1\nhosts:\n  h1:\n  h2:\n${rest}`;

describe('oracle cases', () => {
  const files = readdirSync(CASES).filter((f) => f.endsWith('.lab.yaml'));
  test.each(files)('%s parses without warnings', (f) => {
    const t = parseLab(readFileSync(`${CASES}/${f}`, 'utf8'), f);
    expect(t.version).toBe(1);
    expect(t.hosts.length).toBeGreaterThan(0);
    expect(t.warnings).toEqual([]);
  });

  test('router chain: host order, ifaces, MACs', () => {
    const t = parseLab(readFileSync(`${CASES}/02-router-chain.lab.yaml`, 'utf8'), '02-router-chain.lab.yaml');
    expect(t.name).toBe('router-chain');
    expect(t.seed).toBe(1);
    expect(t.hosts.map((h) => h.name)).toEqual(['h1', 'r1', 'h2']);
    const r1 = t.hosts[1];
    expect(r1.cpus).toBe(2);
    expect(r1.ifaces.map((i) => [i.name, i.nic.mac, i.nic.mtu])).toEqual([
      ['eth0', '02:00:00:00:02:01', 1500],
      ['eth1', '02:00:00:00:02:02', 1500],
    ]);
    expect(r1.exec[0]).toBe('sysctl -w net.ipv4.ip_forward=1');
    expect(r1.execPos?.[0]).toEqual({ line: 12, col: 9 });
    expect(t.links[1]).toEqual({ endpoints: [{ host: 'r1', ifname: 'eth1' }, { host: 'h2', ifname: 'eth0' }], delayNs: 0, rateBps: 0, lossPct: 0 });
    expect(t.checks[0]).toEqual({ host: 'h1', run: 'ping -c 4 -i 0.2 10.0.2.2', expect: { exit: 0, stdout_contains: '4 received' } });
  });

  test('bridge: ifaces follow link order, not names', () => {
    const t = parseLab(readFileSync(`${CASES}/05-bridge.lab.yaml`, 'utf8'), 'x');
    expect(t.hosts[0].ifaces.map((i) => `${i.name} ${i.nic.mac}`)).toEqual(['eth1 02:00:00:00:01:01', 'eth2 02:00:00:00:01:02', 'eth3 02:00:00:00:01:03']);
    expect(t.hosts[3].ifaces[0].nic.mac).toBe('02:00:00:00:04:01');
  });

  test('spec example: delay and rate', () => {
    const spec = readFileSync('/work/shared/spec/lab-format.md', 'utf8');
    const t = parseLab(/```yaml\n([\s\S]*?)```/.exec(spec)![1], 'example.lab.yaml');
    expect(t.links[1]).toMatchObject({ delayNs: 2_000_000, rateBps: 100_000_000, lossPct: 0 });
    expect(t.hosts.map((h) => h.ifaces.length)).toEqual([1, 2, 1]);
  });
});

describe('every field', () => {
  const y = parseLab(fixture('full.lab.yaml'), 'full.lab.yaml');

  test('yaml fixture', () => {
    expect(y.seed).toBe(42);
    const [r1, h1, h2] = y.hosts;
    expect(r1.cpus).toBe(4);
    expect(r1.ifaces).toEqual([
      { name: 'eth1', nic: { queues: 4, rx_ring: 1024, tx_ring: 512, mtu: 9000, mac: '0a:bc:00:00:00:01' } },
      { name: 'eth0', nic: { queues: 1, rx_ring: 256, tx_ring: 256, mtu: 1500, mac: '02:00:00:00:01:02' } },
    ]);
    expect(h1.ifaces[0].nic.mac).toBe('02:00:00:00:02:01');
    expect(h2.ifaces[0].nic.mac).toBe('02:00:00:00:03:01');
    expect(y.links.map((l) => [l.delayNs, l.rateBps, l.lossPct])).toEqual([
      [2_000_000, 100_000_000, 1],
      [500, 80_000_000, 0.5],
    ]);
    expect(y.checks).toEqual([
      { host: 'h1', run: 'nc -l 80', background: true },
      { host: 'h1', run: 'ping -c 1 10.0.1.1', expect: { exit: 0, stdout_contains: '1 received', stdout_matches: 'time=\\d+' } },
    ]);
    expect(y.warnings).toEqual(["full.lab.yaml:18:3: warning: host 'lonely' has no links"]);
  });

  test('JSON input means the same', () => {
    const j = parseLab(fixture('full.lab.json'), 'full.lab.json');
    expect({ ...j, warnings: [] }).toEqual({ ...y, hosts: j.hosts.map((h, i) => ({ ...y.hosts[i], execPos: h.execPos })), warnings: [] });
    expect(j.warnings).toEqual(["full.lab.json:17:3: warning: host 'lonely' has no links"]);
  });

  test('defaults: name from the file, empty description, seed 1', () => {
    const t = parseLab('version: 1\n', 'labs/my-lab.lab.yaml');
    expect([t.name, t.description, t.seed, t.hosts, t.links, t.checks]).toEqual(['my-lab', '', 1, [], [], []]);
  });
});

describe('errors point at the node', () => {
  test('unknown field', () => {
    expect(err('version: 1\nhost: {}\n')).toBe("t.lab.yaml:2:1: unknown field 'host'");
    expect(err(lab('links:\n  - endpoints: [h1:eth0, h2:eth0]\n    dealy: 1ms\n'))).toBe("t.lab.yaml:7:5: unknown field 'dealy'");
    expect(err('version: 1\nhosts:\n  h1: { cpu: 2 }\n')).toBe("t.lab.yaml:3:9: unknown field 'cpu'");
  });

  test('version', () => {
    expect(err('name: x\nhosts: {}\n')).toBe("t.lab.yaml:1:1: missing field 'version'");
    expect(err('')).toBe("t.lab.yaml:1:1: missing field 'version'");
    expect(err('# v2\nversion: 2\nnewfield: 1\n')).toBe('t.lab.yaml:2:10: unsupported lab version 2 (this StackLab reads version 1)');
  });

  test('host names and values', () => {
    expect(err('version: 1\nhosts:\n  H1:\n')).toBe("t.lab.yaml:3:3: bad host name 'H1' (a lower-case letter, then up to 14 of a-z, 0-9, '-')");
    expect(err('version: 1\nhosts:\n  h1: { cpus: 0 }\n')).toBe("t.lab.yaml:3:15: cpus must be an integer from 1 to 64, not '0'");
    expect(err('version: 1\nhosts:\n  h1: { exec: [ls, [x]] }\n')).toBe('t.lab.yaml:3:20: an exec line must be a string, not a list');
  });

  test('unknown host in endpoint', () => {
    expect(err(lab('links:\n  - endpoints: [h1:eth0, h9:eth0]\n'))).toBe("t.lab.yaml:6:26: unknown host 'h9' in endpoint 'h9:eth0'");
  });

  test('bad endpoints', () => {
    expect(err(lab('links:\n  - endpoints: [h1:eth0]\n'))).toBe('t.lab.yaml:6:16: a link has exactly two endpoints, not 1');
    expect(err(lab('links:\n  - endpoints: [h1:lo, h2:eth0]\n'))).toBe("t.lab.yaml:6:17: bad interface name 'lo': 'lo' is the loopback device every host already has");
    expect(err(lab('links:\n  - endpoints: [h1, h2:eth0]\n'))).toBe("t.lab.yaml:6:17: endpoint 'h1' is not host:ifname");
    expect(err(lab('links:\n  - delay: 1ms\n'))).toBe("t.lab.yaml:6:5: missing field 'endpoints'");
  });

  test('duplicate interface', () => {
    expect(err(lab('links:\n  - endpoints: [h1:eth0, h2:eth0]\n  - endpoints:\n      - h2:eth1\n      - h1:eth0\n'))).toBe(
      't.lab.yaml:9:9: duplicate interface h1:eth0 (already used at line 6)',
    );
  });

  test('nics must name a linked interface; MAC must be unicast', () => {
    expect(err('version: 1\nhosts:\n  h1:\n    nics: { eth1: {} }\n')).toBe('t.lab.yaml:4:13: no link creates interface h1:eth1');
    expect(err(lab('    nics:\n      eth0: { mac: "01:00:5e:00:00:01" }\nlinks:\n  - endpoints: [h1:eth0, h2:eth0]\n'))).toBe(
      "t.lab.yaml:6:20: bad MAC '\"01:00:5e:00:00:01\"' (a unicast address such as 02:00:00:00:01:01)",
    );
  });

  test('bad address', () => {
    const text = lab('links:\n  - endpoints: [h1:eth0, h2:eth0]\n').replace('  h1:\n', '  h1:\n    exec:\n      - ip addr add 10.0.0.300/24 dev eth0\n');
    expect(err(text)).toBe("t.lab.yaml:5:21: bad address '10.0.0.300/24'");
  });

  test('overlapping addresses are a warning', () => {
    const text = 'version: 1\nhosts:\n  h1:\n    exec: ["ip a a 10.0.0.1/24 dev eth0"]\n  h2:\n    exec:\n      - ip address add 10.0.0.1/8 dev eth0\nlinks:\n  - endpoints: [h1:eth0, h2:eth0]\n';
    expect(parseLab(text, 't.lab.yaml').warnings).toEqual(['t.lab.yaml:7:24: warning: address 10.0.0.1 is already assigned on h1 (line 4)']);
  });

  test('bad delay, rate, loss', () => {
    const link = (k: string) => err(lab(`links:\n  - endpoints: [h1:eth0, h2:eth0]\n    ${k}\n`));
    expect(link('delay: 10 ms')).toBe("t.lab.yaml:7:12: bad delay '10 ms'");
    expect(link('delay: 2 hours')).toBe("t.lab.yaml:7:12: bad delay '2 hours'");
    expect(link('delay: 5')).toBe("t.lab.yaml:7:12: delay '5' needs a unit (ns, us, ms, s)");
    expect(link('rate: 1gbyte')).toBe("t.lab.yaml:7:11: bad rate '1gbyte': unknown unit 'gbyte'");
    expect(link('loss: 150%')).toBe("t.lab.yaml:7:11: bad loss '150%' (a percentage from 0 to 100)");
  });

  test('checks', () => {
    expect(err(lab('checks:\n  - { host: h3, run: ls }\n'))).toBe("t.lab.yaml:6:13: unknown host 'h3'");
    expect(err(lab('checks:\n  - host: h1\n'))).toBe("t.lab.yaml:6:5: missing field 'run'");
    expect(err(lab('checks:\n  - { host: h1, run: ls, background: yes }\n'))).toBe("t.lab.yaml:6:38: background must be true or false, not 'yes'");
  });

  test('bad regexp', () => {
    expect(err(lab('checks:\n  - host: h1\n    run: ls\n    expect: { stdout_matches: "a(b" }\n'))).toBe(
      "t.lab.yaml:8:31: bad regular expression 'a(b': Unterminated group",
    );
  });

  test('alias bomb', () => {
    const row = (a: string) => `[${Array(9).fill(a).join(', ')}]`;
    const bomb = `version: 1\na: &a ${row('x')}\nb: &b ${row('*a')}\nc: &c ${row('*b')}\nd: &d ${row('*c')}\ne: &e ${row('*d')}\n`;
    expect(err(bomb)).toBe('t.lab.yaml:5:8: too many alias expansions (limit 100): alias bombs are refused');
    expect(err('version: 1\nhosts:\n  h1: &h { exec: [*h] }\n')).toBe('t.lab.yaml:3:19: alias *h refers to a node that contains it');
    expect(err('version: 1\nhosts:\n  h1: *h\n')).toBe('t.lab.yaml:3:7: unknown alias *h (an anchor &h must come before it)');
  });

  test('aliases that stay small are fine', () => {
    const t = parseLab('version: 1\nhosts:\n  h1: &h { cpus: 2 }\n  h2: *h\nlinks:\n  - endpoints: [h1:eth0, h2:eth0]\n', 't');
    expect(t.hosts.map((h) => h.cpus)).toEqual([2, 2]);
  });

  test('deep nesting', () => {
    expect(err('['.repeat(1_000_000))).toBe('t.lab.yaml:1:65: nesting deeper than 64 levels');
    expect(err('- '.repeat(1_000_000) + 'x')).toBe('t.lab.yaml:1:129: nesting deeper than 64 levels');
    // Block indentation is only caught after parsing, at the node.
    const stairs = Array.from({ length: 70 }, (_, i) => ' '.repeat(i) + 'a:').join('\n') + ' x\n';
    expect(err(stairs)).toBe('t.lab.yaml:65:65: nesting deeper than 64 levels');
  });

  test('too large', () => {
    expect(err('#'.repeat(MAX_FILE_BYTES + 1))).toBe(`t.lab.yaml:1:1: file too large: ${MAX_FILE_BYTES + 1} bytes (limit ${MAX_FILE_BYTES})`);
    // Counted in UTF-8 bytes, not characters.
    const n = MAX_FILE_BYTES / 2;
    expect(err('#' + 'é'.repeat(n))).toBe(`t.lab.yaml:1:1: file too large: ${2 * n + 1} bytes (limit ${MAX_FILE_BYTES})`);
  });

  test('YAML syntax error', () => {
    expect(err('version: 1\nhosts:\n  h1: [a, b\nlinks: []\n')).toBe(
      't.lab.yaml:4:1: Flow sequence in block collection must be sufficiently indented and end with a ]',
    );
    expect(err('version: 1\nversion: 1\n')).toBe('t.lab.yaml:2:1: Map keys must be unique');
    expect(err('version: 1\n---\nversion: 1\n')).toBe('t.lab.yaml:2:1: a lab file holds a single YAML document');
  });

  test('JSON input', () => {
    const json = '{\n  "version": 1,\n  "hosts": {\n    "h1": { "cpus": "two" }\n  }\n}\n';
    expect(err(json, 't.lab.json')).toBe(`t.lab.json:4:21: cpus must be an integer from 1 to 64, not '"two"'`);
    expect(err('{"version": 1, "extra": []}', 't.lab.json')).toBe("t.lab.json:1:16: unknown field 'extra'");
    expect(err('{"version": 1,,}', 't.lab.json')).toMatch(/^t\.lab\.json:1:\d+: /);
  });

  test('limits', () => {
    const hosts = Array.from({ length: 1001 }, (_, i) => `  h${i}:\n`).join('');
    expect(err(`version: 1\nhosts:\n${hosts}`)).toBe('t.lab.yaml:1003:3: too many hosts (limit 1000)');
  });
});
