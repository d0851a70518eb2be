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
