import dagre from "@dagrejs/dagre";
import type { PipelineGraph } from "./pipelineGraph";

/** Left-to-right layered layout of the pipeline graph (dagre): positions by component id. */
export function layout(graph: PipelineGraph): Record<string, { x: number; y: number }> {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: "LR", nodesep: 30, ranksep: 60 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const c of graph.components) g.setNode(c.id, { width: 190, height: 56 });
  for (const e of graph.edges) if (g.hasNode(e.from) && g.hasNode(e.to)) g.setEdge(e.from, e.to);
  dagre.layout(g);
  return Object.fromEntries(graph.components.map((c) => {
    const n = g.node(c.id);
    return [c.id, { x: n.x - 95, y: n.y - 28 }];
  }));
}
