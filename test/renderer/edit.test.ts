import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseLab } from '../../core/lab/parse.js';
import { EditError, addNode, connect, freeIfname, freeName, removeLink, removeNode, setHost } from '../../renderer/src/lab/edit.js';

const LAB = readFileSync(new URL('../../labs/router-chain.lab.yaml', import.meta.url), 'utf8');
const parse = (t: string) => parseLab(t, 'edit.lab.yaml');

describe('topology edits on the YAML text', () => {
  it('adds hosts, routers and switches with free names', () => {
    const a = addNode(LAB, 'host');
    expect(a.name).toBe('h3');
    const b = addNode(a.text, 'router');
    expect(b.name).toBe('r2');
    const c = addNode(b.text, 'switch');
    expect(c.name).toBe('s1');
    const t = parse(c.text);
    expect(t.hosts.map((h) => h.name)).toEqual(['h1', 'r1', 'h2', 'h3', 'r2', 's1']);
    expect(t.hosts[4].exec).toEqual(['sysctl -w net.ipv4.ip_forward=1']);
    expect(t.hosts[4].cpus).toBe(2);
    expect(() => addNode(LAB, 'host', 'h1')).toThrow(EditError);
  });

  it('keeps comments and the rest of the file', () => {
    const withComment = LAB.replace('hosts:', '# the hosts\nhosts:');
    const t = addNode(withComment, 'host').text;
    expect(t).toContain('# the hosts');
    expect(t).toContain('description: >-');
  });

  it('connects nodes on the next free interfaces', () => {
    expect(freeIfname(LAB, 'r1')).toBe('eth2');
    expect(freeIfname(LAB, 'h9')).toBe('eth0');
    const a = addNode(LAB, 'host');
    const r = connect(a.text, 'r1', 'h3');
    expect([r.a, r.b]).toEqual(['r1:eth2', 'h3:eth0']);
    expect(r.text).toContain('- endpoints: [r1:eth2, h3:eth0]');
    const t = parse(r.text);
    expect(t.links).toHaveLength(3);
    expect(t.hosts.find((h) => h.name === 'r1')!.ifaces.map((i) => i.name)).toEqual(['eth0', 'eth1', 'eth2']);
    expect(() => connect(LAB, 'h1', 'h1')).toThrow('two different');
    expect(() => connect(LAB, 'h1', 'nope')).toThrow('no host named nope');
  });

  it('enslaves a switch port to its bridge', () => {
    const s = addNode(LAB, 'switch');
    const t = parse(connect(s.text, 's1', 'h1').text);
    expect(t.hosts.find((h) => h.name === 's1')!.exec).toEqual([
      'ip link add br0 type bridge',
      'ip link set br0 up',
      'ip link set eth0 master br0',
    ]);
  });

  it('removes a host with its links and checks', () => {
    const t = parse(removeNode(LAB, 'h2'));
    expect(t.hosts.map((h) => h.name)).toEqual(['h1', 'r1']);
    expect(t.links).toHaveLength(1);
    expect(t.checks.every((c) => c.host !== 'h2')).toBe(true);
    const r1gone = parse(removeNode(LAB, 'r1'));
    expect(r1gone.links).toHaveLength(0);
    expect(r1gone.checks.map((c) => c.host)).toEqual(['h1', 'h1', 'h1']);
  });

  it('removes a link', () => {
    const t = parse(removeLink(LAB, 1));
    expect(t.links).toHaveLength(1);
    expect(() => removeLink(LAB, 5)).toThrow(EditError);
  });

  it('sets cpus and boot commands', () => {
    const t = parse(setHost(LAB, 'h1', 4, ['ip addr add 10.0.1.9/24 dev eth0', '  ', ' ip link set eth0 mtu 1400 ']));
    const h1 = t.hosts[0];
    expect(h1.cpus).toBe(4);
    expect(h1.exec).toEqual(['ip addr add 10.0.1.9/24 dev eth0', 'ip link set eth0 mtu 1400']);
    expect(parse(setHost(LAB, 'r1', 1, ['sysctl -w net.ipv4.ip_forward=1'])).hosts[1].cpus).toBe(1);
    expect(() => setHost(LAB, 'h1', 0, [])).toThrow('cpus');
  });

  it('picks free names', () => {
    expect(freeName(['h1', 'h2', 'h4'], 'h')).toBe('h3');
    expect(freeName([], 'r')).toBe('r1');
  });

  it('refuses text that does not parse', () => {
    expect(() => addNode('hosts: [', 'host')).toThrow(EditError);
  });
});

describe('sameContent', () => {
  it('ignores layout, not data', async () => {
    const { sameContent } = await import('../../renderer/src/lab/edit.js');
    expect(sameContent(LAB, removeNode(addNode(LAB, 'host').text, 'h3'))).toBe(true);
    expect(sameContent(LAB, addNode(LAB, 'host').text)).toBe(false);
    expect(sameContent('a: [', 'a:  [')).toBe(false);
  });
});
