// Cytoscape styles for the light and dark themes.
import type { StylesheetJson } from 'cytoscape';

export type Theme = 'light' | 'dark';

const PALETTE = {
  light: { text: '#1f2430', edge: '#7a8599', host: '#3b82f6', router: '#f59e0b', switch: '#10b981', sel: '#db2777', bg: '#ffffff', label: '#ffffff' },
  dark: { text: '#d6dbe6', edge: '#8892a6', host: '#60a5fa', router: '#fbbf24', switch: '#34d399', sel: '#f472b6', bg: '#1b1f27', label: '#1b1f27' },
};

export function graphStyle(theme: Theme): StylesheetJson {
  const p = PALETTE[theme];
  return [
    {
      selector: 'node',
      style: {
        label: 'data(label)',
        'text-valign': 'bottom',
        'text-margin-y': 6,
        color: p.text,
        'font-size': 13,
        'font-family': 'system-ui, sans-serif',
        width: 44,
        height: 44,
        'border-width': 2,
        'border-color': p.bg,
      },
    },
    { selector: 'node[kind = "host"]', style: { shape: 'round-rectangle', 'background-color': p.host } },
    { selector: 'node[kind = "router"]', style: { shape: 'ellipse', 'background-color': p.router } },
    { selector: 'node[kind = "switch"]', style: { shape: 'rectangle', width: 56, height: 30, 'background-color': p.switch } },
    { selector: 'node:selected', style: { 'border-color': p.sel, 'border-width': 4 } },
    { selector: 'node.connect-source', style: { 'border-color': p.sel, 'border-width': 4, 'border-style': 'dashed' } },
    // a host whose process died or hung: greyed, with a red dashed ring
    { selector: 'node.down', style: { 'background-color': '#9ca3af', 'border-color': '#dc2626', 'border-width': 3, 'border-style': 'dashed', opacity: 0.75 } },
    { selector: 'node.flash', style: { 'overlay-color': p.sel, 'overlay-opacity': 0.25, 'overlay-padding': 8 } },
    {
      selector: 'edge',
      style: {
        width: 3,
        'line-color': p.edge,
        'curve-style': 'bezier',
        'source-label': 'data(sourceLabel)',
        'target-label': 'data(targetLabel)',
        'source-text-offset': 28,
        'target-text-offset': 28,
        label: 'data(label)',
        'text-margin-y': -12,
        'font-size': 11,
        'font-family': 'ui-monospace, monospace',
        color: p.text,
        'text-background-color': p.bg,
        'text-background-opacity': 1,
        'text-background-padding': '2px',
        'text-rotation': 'autorotate',
      },
    },
    { selector: 'edge:selected', style: { 'line-color': p.sel } },
  ];
}
