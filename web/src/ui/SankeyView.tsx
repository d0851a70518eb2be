import { Layer, Rectangle, ResponsiveContainer, Sankey, Tooltip } from "recharts";
import type { NodeProps } from "recharts/types/chart/Sankey";
import type { Sankey as SankeyData } from "../dashboards";
import { formatNumber } from "./format";

// A step's bar (grey for where paths end or begin) with its name and units to its right, in the chart's right margin
// for the last column.
function StepNode({ x, y, width, height, payload }: NodeProps) {
  const ending = payload.name === "(end)" || payload.name === "(start)";
  return (
    <Layer>
      <Rectangle className="recharts-sankey-node" x={x} y={y} width={width} height={height} fill={ending ? "#6b7280" : "#1d4ed8"} fillOpacity={0.9} />
      {/* A white halo keeps the label readable where it crosses the bands beside it. */}
      <text x={x + width + 6} y={y + height / 2} textAnchor="start" dominantBaseline="middle" fontSize={12} fill="#1f2937"
        stroke="#ffffff" strokeWidth={3} strokeLinejoin="round" paintOrder="stroke">
        {payload.name} ({formatNumber(Number(payload.value))})
      </text>
    </Layer>
  );
}

/**
 * Nodes sit in the column of their depth from the left: recharts' default ("justify") pushes every node without an
 * outgoing flow, each "(end)" of a path, to the last column, so that where people left could not be seen.
 */
export const sankeyAlign = "left" as const;

/** A Sankey diagram of flows between steps: band widths are units, a tooltip names each flow. */
export function SankeyView({ sankey, title, caption }: { sankey: SankeyData; title: string; caption: string }) {
  if (sankey.links.length === 0) return <p className="muted">No paths to draw.</p>;
  const columns = new Set(sankey.nodes.map((node) => node.column)).size;
  const height = Math.max(320, Math.min(720, sankey.nodes.length * 26));
  return (
    <figure className="chart-figure" aria-label={`${title} chart`}>
      <p className="axis-title">{caption}</p>
      <ResponsiveContainer width="100%" height={height}>
        <Sankey data={sankey} nodePadding={18} nodeWidth={12} sort={false} align={sankeyAlign} margin={{ top: 8, right: 170, bottom: 8, left: 8 }}
          link={{ stroke: "#93c5fd", strokeOpacity: 0.55 }} iterations={columns > 1 ? 32 : 0}
          node={(props: NodeProps) => <StepNode {...props} />}>
          <Tooltip formatter={(v: unknown) => formatNumber(Number(v))} />
        </Sankey>
      </ResponsiveContainer>
    </figure>
  );
}
