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

/** The smallest zoom at which a node's 13 px id stays readable; a graph fitted below it says to zoom in to read it. */
export const readableZoom = 0.8;

/**
 * The zoom at which a laid-out graph fits the canvas whole on load, as React Flow's fitView with this padding (px) sets
 * it: never above 100%, and never below the canvas' 10% floor (a phone's width of a template's graph).
 */
export function fittedZoom(positions: readonly { x: number; y: number }[], canvas: { width: number; height: number }, padding = 24): number {
  if (positions.length === 0) return 1;
  const width = Math.max(...positions.map((p) => p.x)) + nodeWidth - Math.min(...positions.map((p) => p.x));
  const height = Math.max(...positions.map((p) => p.y)) + nodeHeight - Math.min(...positions.map((p) => p.y));
  const fit = Math.min((canvas.width - 2 * padding) / width, (canvas.height - 2 * padding) / height);
  return Math.min(1, Math.max(0.1, fit));
}
