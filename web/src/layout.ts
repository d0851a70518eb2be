import dagre from "@dagrejs/dagre";
import type { PipelineGraph } from "./pipelineGraph";

export const nodeWidth = 200;
export const nodeHeight = 76;

/** Left-to-right layered layout of the pipeline graph (dagre): positions by component id. */
export function layout(graph: PipelineGraph): Record<string, { x: number; y: number }> {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: "LR", nodesep: 24, ranksep: 56 });
  g.setDefaultEdgeLabel(() => ({}));
  // The size ComponentNode renders at (.flow-node in styles.css), so that nodes neither overlap nor drift apart.
  for (const c of graph.components) g.setNode(c.id, { width: nodeWidth, height: nodeHeight });
  for (const e of graph.edges) if (g.hasNode(e.from) && g.hasNode(e.to)) g.setEdge(e.from, e.to);
  dagre.layout(g);
  return Object.fromEntries(graph.components.map((c) => {
    const n = g.node(c.id);
    return [c.id, { x: n.x - nodeWidth / 2, y: n.y - nodeHeight / 2 }];
  }));
}

/** The smallest zoom at which a node's 13 px id stays readable; a graph wider than the canvas at this zoom is panned, not shrunk. */
export const readableZoom = 0.8;

/**
 * The viewport that shows a laid-out graph on load: the whole graph centred when it fits at a readable zoom (never
 * above 100%); otherwise the readable zoom with the graph's start (its sources, on the left) in view, to be panned.
 */
export function initialViewport(positions: readonly { x: number; y: number }[], canvas: { width: number; height: number }, padding = 24): { x: number; y: number; zoom: number; fits: boolean } {
  if (positions.length === 0) return { x: 0, y: 0, zoom: 1, fits: true };
  const left = Math.min(...positions.map((p) => p.x));
  const top = Math.min(...positions.map((p) => p.y));
  const width = Math.max(...positions.map((p) => p.x)) + nodeWidth - left;
  const height = Math.max(...positions.map((p) => p.y)) + nodeHeight - top;
  const fit = Math.min((canvas.width - 2 * padding) / width, (canvas.height - 2 * padding) / height);
  const zoom = Math.min(1, Math.max(readableZoom, fit));
  const place = (size: number, extent: number, start: number) =>
    extent * zoom <= size - 2 * padding ? (size - extent * zoom) / 2 - start * zoom : padding - start * zoom;
  const fits = width * zoom <= canvas.width - 2 * padding && height * zoom <= canvas.height - 2 * padding;
  return { x: place(canvas.width, width, left), y: place(canvas.height, height, top), zoom, fits };
}
