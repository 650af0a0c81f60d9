import { describe, expect, it } from 'vitest';
import type { LabView } from '../../renderer/src/bridge/protocol.js';
import { chainPositions } from '../../renderer/src/graph/chain-layout.js';
import { formatDelay, formatRate, toElements } from '../../renderer/src/graph/elements.js';
import { judge } from '../../renderer/src/lab/checks.js';

const LAB: LabView = {
  name: 'x', description: '', seed: 1, warnings: [], checks: [],
  hosts: [
    { name: 'h1', kind: 'host', cpus: 1, ifaces: ['eth0'], exec: [] },
    { name: 'r1', kind: 'router', cpus: 2, ifaces: ['eth0', 'eth1'], exec: [] },
    { name: 'h2', kind: 'host', cpus: 1, ifaces: ['eth0'], exec: [] },
  ],
  links: [
    { a: { host: 'h1', ifname: 'eth0' }, b: { host: 'r1', ifname: 'eth0' }, delayNs: 0, rateBps: 0, lossPct: 0 },
    { a: { host: 'r1', ifname: 'eth1' }, b: { host: 'h2', ifname: 'eth0' }, delayNs: 2_000_000, rateBps: 100e6, lossPct: 1 },
  ],
};

describe('graph elements', () => {
  it('makes a node per host and an edge per link, labelled with interfaces', () => {
    const { nodes, edges } = toElements(LAB);
    expect(nodes.map((n) => [n.id, n.kind])).toEqual([['h1', 'host'], ['r1', 'router'], ['h2', 'host']]);
    expect(edges[1]).toMatchObject({ source: 'r1', target: 'h2', sourceLabel: 'eth1', targetLabel: 'eth0', label: '2ms 100mbit 1% loss' });
    expect(edges[0].label).toBe('');
    expect(new Set(edges.map((e) => e.id)).size).toBe(2);
  });

  it('formats units as the lab format writes them', () => {
    expect(formatDelay(10_000)).toBe('10us');
    expect(formatDelay(1500)).toBe('1500ns');
    expect(formatRate(1e9)).toBe('1gbit');
    expect(formatRate(64e3)).toBe('64kbit');
  });

  it('lays a chain out left to right, parts stacked', () => {
    const p = chainPositions(['h1', 'r1', 'h2', 'lone'], [['h1', 'r1'], ['r1', 'h2']]);
    expect(p.h1.x).toBeLessThan(p.r1.x);
    expect(p.r1.x).toBeLessThan(p.h2.x);
    expect(p.h1.y).toBe(p.h2.y);
    expect(p.lone.y).toBeGreaterThan(p.h1.y);
    const star = chainPositions(['s1', 'a', 'b', 'c'], [['a', 's1'], ['b', 's1'], ['c', 's1']]);
    expect(new Set(['a', 'b', 'c'].map((n) => star[n].x)).size).toBe(1);
    expect(star.b.y).toBe(star.s1.y);
  });
});

describe('judge', () => {
  const r = { exit: 0, stdout: '3 packets transmitted, 3 received\n', stderr: '' };
  it('passes and fails on exit, contains and matches', () => {
    expect(judge(undefined, r)).toEqual({ reasons: [] });
    expect(judge({ exit: 0, stdout_contains: '3 received' }, r).pass).toBe(true);
    expect(judge({ exit: 1 }, r)).toEqual({ pass: false, reasons: ['exit 0, expected 1'] });
    expect(judge({ stdout_matches: '^3 packets' }, r).pass).toBe(true);
    expect(judge({ stdout_matches: '(' }, r).reasons[0]).toContain('bad regular expression');
  });
});
