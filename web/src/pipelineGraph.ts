import { Document, isMap, isScalar, isSeq, LineCounter, parseDocument, YAMLMap, YAMLSeq } from "yaml";

/** One component of a pipeline as the designer shows it. */
export interface ComponentNode {
  id: string;
  type: string;
  inputs: string[];
  params: Record<string, unknown>;
  /** 1-based line range of the component in the YAML text, to put validation errors on the right node. */
  lines: [number, number];
  /** 1-based line of each parameter key under `with`. */
  paramLines: Record<string, number>;
}

/** The pipeline as a graph: components and the edges their inputs make. */
export interface PipelineGraph {
  name: string;
  components: ComponentNode[];
  edges: { from: string; to: string }[];
}

function components(doc: Document): YAMLSeq | undefined {
  const seq = doc.get("components", true);
  return isSeq(seq) ? seq : undefined;
}

/** Reads the graph from YAML text; throws with the parser's message when the text is not YAML. */
export function toGraph(text: string): PipelineGraph {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, keepSourceTokens: true });
  if (doc.errors.length > 0) throw new Error(doc.errors[0].message);
  const line = (offset: number | undefined) => (offset === undefined ? 0 : counter.linePos(offset).line);
  const nodes: ComponentNode[] = [];
  for (const item of components(doc)?.items ?? []) {
    if (!isMap(item)) continue;
    const id = String(item.get("id") ?? "");
    const inputsNode = item.get("inputs", true);
    const inputs = isSeq(inputsNode) ? inputsNode.items.map((i) => String(isScalar(i) ? i.value : i)) : [];
    const withNode = item.get("with", true);
    const params: Record<string, unknown> = {};
    const paramLines: Record<string, number> = {};
    if (isMap(withNode)) {
      for (const pair of withNode.items) {
        const key = String(isScalar(pair.key) ? pair.key.value : pair.key);
        params[key] = isScalar(pair.value) ? pair.value.value : (pair.value as { toJSON?: () => unknown })?.toJSON?.();
        paramLines[key] = line(isScalar(pair.key) ? pair.key.range?.[0] : undefined);
      }
    }
    nodes.push({ id, type: String(item.get("type") ?? ""), inputs, params, lines: [line(item.range?.[0]), line(item.range?.[1])], paramLines });
  }
  return {
    name: String(doc.get("pipeline") ?? ""),
    components: nodes,
    edges: nodes.flatMap((n) => n.inputs.map((from) => ({ from, to: n.id }))),
  };
}

function findComponent(doc: Document, id: string): YAMLMap {
  const found = components(doc)?.items.find((i) => isMap(i) && String(i.get("id")) === id);
  if (!isMap(found)) throw new Error(`no component '${id}'`);
  return found;
}

/** Sets one parameter of one component, keeping every comment and the rest of the text's layout. */
export function setParam(text: string, componentId: string, key: string, value: string | number | boolean): string {
  const doc = parseDocument(text);
  const component = findComponent(doc, componentId);
  const existing: unknown = component.get("with", true);
  let withNode: YAMLMap;
  if (isMap(existing)) withNode = existing;
  else {
    withNode = doc.createNode({}) as YAMLMap;
    component.set("with", withNode);
  }
  withNode.set(key, value);
  return doc.toString();
}

/** Adds a component (id, type) at the end, with optional inputs. */
export function addComponent(text: string, id: string, type: string, inputs: string[] = []): string {
  const doc = parseDocument(text);
  const seq = components(doc);
  if (!seq) throw new Error("the pipeline has no 'components' list");
  if (seq.items.some((i) => isMap(i) && String(i.get("id")) === id)) throw new Error(`component id '${id}' is already used`);
  seq.add(doc.createNode(inputs.length > 0 ? { id, type, inputs } : { id, type }));
  return doc.toString();
}

/** Connects an output to an input: `to` reads `from`. */
export function connect(text: string, from: string, to: string): string {
  const doc = parseDocument(text);
  const component = findComponent(doc, to);
  const inputs = component.get("inputs", true);
  if (isSeq(inputs)) {
    if (!inputs.items.some((i) => String(isScalar(i) ? i.value : i) === from)) inputs.add(from);
  } else component.set("inputs", doc.createNode([from]));
  return doc.toString();
}

/** Renames the pipeline (the `pipeline:` key). */
export function renamePipeline(text: string, name: string): string {
  const doc = parseDocument(text);
  doc.set("pipeline", name);
  return doc.toString();
}

/** Sets a pipeline param's default (the `params: NAME: { default }` value). */
export function setParamDefault(text: string, param: string, value: string): string {
  const doc = parseDocument(text);
  const params = doc.get("params", true);
  if (!isMap(params)) throw new Error("the pipeline has no params");
  const entry = params.get(param, true);
  if (!isMap(entry)) throw new Error(`no param '${param}'`);
  const current = entry.get("default");
  entry.set("default", typeof current === "number" && value.trim() !== "" && !Number.isNaN(Number(value)) ? Number(value) : value);
  return doc.toString();
}

/** Sets (or, with null, removes) a top-level section such as schedule, retry or partitions, keeping comments elsewhere. */
export function setSection(text: string, key: "schedule" | "retry" | "partitions" | "sensors", value: Record<string, unknown> | Record<string, unknown>[] | null): string {
  const doc = parseDocument(text);
  if (value === null || (Array.isArray(value) && value.length === 0)) doc.delete(key);
  else {
    const node = doc.createNode(value);
    if (Array.isArray(value)) for (const item of (node as YAMLSeq).items) (item as YAMLMap).flow = true;
    else node.flow = true;
    doc.set(key, node);
  }
  return doc.toString();
}

/** A top-level section as plain values, or null. */
export function getSection(text: string, key: "schedule" | "retry" | "partitions"): Record<string, unknown> | null {
  const value = parseDocument(text).get(key);
  return isMap(value) ? (value.toJSON() as Record<string, unknown>) : null;
}

/**
 * True when a run of the pipeline needs a partition, which the server refuses to leave out: the whole pipeline is
 * partitioned, by static keys or by time without a `column` (with one, a run without a partition spans every window).
 */
export function needsPartition(text: string): boolean {
  const partitions = getSection(text, "partitions");
  return partitions !== null && partitions.type != null && (partitions.type === "static" || partitions.column == null);
}

/** The sensors list as plain values. */
export function getSensors(text: string): Record<string, unknown>[] {
  const value = parseDocument(text).get("sensors");
  return isSeq(value) ? (value.toJSON() as Record<string, unknown>[]) : [];
}
