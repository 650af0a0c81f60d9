// Builds hosts from a topology, the same way in every process: a host's links,
// seeds and peer indices depend only on the lab, never on which process runs
// it or which other hosts share that process.
import type { Topology } from '../lab/topology.js';
import { Host, PHY_LATENCY_NS } from '../host/host.js';
import { deriveSeed } from '../sim/prng.js';

type LinkArgs = ConstructorParameters<typeof Host>[2];

/** The hosts at `indices` (positions in topo.hosts), in that order. */
export function buildHosts(topo: Topology, indices: readonly number[], trace: boolean): Host[] {
  const byName = new Map(topo.hosts.map((h) => [h.name, h]));
  const ifindexOf = (host: string, ifname: string) => 2 + byName.get(host)!.ifaces.findIndex((i) => i.name === ifname);
  const wanted = new Map<string, LinkArgs>(indices.map((i) => [topo.hosts[i].name, []]));
  topo.links.forEach((l, li) => {
    l.endpoints.forEach((ep, side) => {
      const links = wanted.get(ep.host);
      if (!links) return;
      const peer = l.endpoints[1 - side];
      links.push({
        ifname: ep.ifname,
        seed: deriveSeed(topo.seed, 100_000 + li * 2 + side),
        end: { link: li, peerHost: byName.get(peer.host)!.index, peerIfindex: ifindexOf(peer.host, peer.ifname), delayNs: l.delayNs, lossPct: l.lossPct, rateBps: l.rateBps },
      });
    });
  });
  return indices.map((i) => {
    const spec = topo.hosts[i];
    const host = new Host(spec, topo.seed, wanted.get(spec.name)!);
    host.net.tracer.on = trace;
    return host;
  });
}

/** The window length: no frame reaches another host sooner than this after
 * it was sent (smallest link delay plus the PHY latency every link adds). */
export function lookaheadOf(topo: Topology): number {
  let la = Infinity;
  for (const l of topo.links) la = Math.min(la, l.delayNs + PHY_LATENCY_NS);
  return la === Infinity ? PHY_LATENCY_NS : la;
}
