import { Handle, Position, type Node, type NodeProps } from "@xyflow/react";
import { StatusBadge } from "./components";

/** What a designer node shows: its id, component type, and the status of its step in the pipeline's last run. */
export type ComponentNodeData = { id: string; type: string; status: string | null; hasError: boolean; hasWarning: boolean };
export type ComponentFlowNode = Node<ComponentNodeData, "component">;

// One colour and letter per component family (source, transform, analytics, …), so the graph reads at a glance;
// each colour holds white text at 4.5:1 or more.
const families: Record<string, [string, string]> = {
  source: ["S", "#0e7490"], transform: ["T", "#6d28d9"], analytics: ["A", "#1d4ed8"], segment: ["G", "#15803d"],
  identity: ["I", "#b45309"], destination: ["D", "#be185d"], check: ["C", "#4b5563"], quality: ["Q", "#4b5563"],
};

/** A pipeline component in the designer: inputs enter on the left, its output leaves on the right. */
export function ComponentNode({ data, selected }: NodeProps<ComponentFlowNode>) {
  const family = data.type.split(".")[0];
  const [letter, colour] = families[family] ?? [family.slice(0, 1).toUpperCase(), "#64748b"];
  return (
    <div className={`flow-node${selected ? " selected" : ""}${data.hasError ? " has-error" : data.hasWarning ? " has-warning" : ""}`}>
      <Handle type="target" position={Position.Left} />
      <div className="node-id"><span className="node-icon" style={{ background: colour }} title={family} aria-hidden="true">{letter}</span>{data.id}</div>
      <div className="node-type">{data.type}</div>
      {data.status ? <StatusBadge status={data.status} /> : <span className="badge">not run</span>}
      <Handle type="source" position={Position.Right} />
    </div>
  );
}

export const nodeTypes = { component: ComponentNode };
