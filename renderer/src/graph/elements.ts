// LabView -> Cytoscape element data. Pure, so it is tested without a canvas.
import type { LabLinkView, LabView } from '../bridge/protocol.js';

export interface NodeData {
  id: string;
  label: string;
  kind: string;
  cpus: number;
}

export interface EdgeData {
  id: string;
  source: string;
  target: string;
  sourceLabel: string;
  targetLabel: string;
  label: string;
  index: number;
}

export function formatDelay(ns: number): string {
  if (ns === 0) return '';
  if (ns % 1_000_000 === 0) return `${ns / 1_000_000}ms`;
  if (ns % 1000 === 0) return `${ns / 1000}us`;
  return `${ns}ns`;
}

export function formatRate(bps: number): string {
  if (bps === 0) return '';
  if (bps % 1e9 === 0) return `${bps / 1e9}gbit`;
  if (bps % 1e6 === 0) return `${bps / 1e6}mbit`;
  if (bps % 1e3 === 0) return `${bps / 1e3}kbit`;
  return `${bps}bit`;
}

export function linkLabel(l: LabLinkView): string {
  return [formatDelay(l.delayNs), formatRate(l.rateBps), l.lossPct ? `${l.lossPct}% loss` : ''].filter(Boolean).join(' ');
}

/** Edge ids name both endpoints, so an edge keeps its id while other links change. */
export function edgeId(l: LabLinkView): string {
  return `${l.a.host}:${l.a.ifname}--${l.b.host}:${l.b.ifname}`;
}

export function toElements(lab: LabView): { nodes: NodeData[]; edges: EdgeData[] } {
  return {
    nodes: lab.hosts.map((h) => ({ id: h.name, label: h.name, kind: h.kind, cpus: h.cpus })),
    edges: lab.links.map((l, index) => ({
      id: edgeId(l),
      source: l.a.host,
      target: l.b.host,
      sourceLabel: l.a.ifname,
      targetLabel: l.b.ifname,
      label: linkLabel(l),
      index,
    })),
  };
}
