// Topology (core) -> LabView (what the renderer sees over the bridge).
import type { Topology } from '../../core/lab/topology.js';
import { nodeKind, type LabView } from '../../renderer/src/bridge/protocol.js';

export function toLabView(t: Topology): LabView {
  return {
    name: t.name,
    description: t.description,
    seed: t.seed,
    hosts: t.hosts.map((h) => ({
      name: h.name,
      kind: nodeKind(h.exec),
      cpus: h.cpus,
      ifaces: h.ifaces.map((i) => i.name),
      exec: [...h.exec],
    })),
    links: t.links.map((l) => ({
      a: { ...l.endpoints[0] },
      b: { ...l.endpoints[1] },
      delayNs: l.delayNs,
      rateBps: l.rateBps,
      lossPct: l.lossPct,
    })),
    checks: t.checks.map((c) => ({
      host: c.host,
      run: c.run,
      background: c.background ?? false,
      ...(c.expect ? { expect: { ...c.expect } } : {}),
    })),
    warnings: [...t.warnings],
  };
}
