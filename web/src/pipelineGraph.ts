import { Document, isCollection, isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Pair, YAMLMap, YAMLSeq } from "yaml";

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

/** Original lines [from, to) replaced by `lines` (an insertion when from === to). */
interface LineEdit { from: number; to: number; lines: string[] }

class Lines {
  readonly lines: string[];
  private readonly starts: number[] = [0];
  constructor(readonly text: string) {
    this.lines = text.split("\n");
    for (let i = 0; i < text.length; i++) if (text[i] === "\n") this.starts.push(i + 1);
  }
  lineOf(offset: number): number {
    let lo = 0, hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid; else hi = mid - 1;
    }
    return lo;
  }
  column(offset: number): number { return offset - this.starts[this.lineOf(offset)]; }
  /** The whole lines from `start` to `end` (exclusive offsets), as [first, past last). */
  span(start: number, end: number): [number, number] { return [this.lineOf(start), this.lineOf(Math.max(start, end - 1)) + 1]; }
}

function reindent(lines: string[], delta: number): string[] {
  if (delta === 0) return lines;
  return lines.map((l) => (delta > 0 ? " ".repeat(delta) + l : l.replace(new RegExp(`^ {0,${-delta}}`), "")));
}

const block = (n: unknown): n is YAMLMap | YAMLSeq => isCollection(n) && !n.flow;
const same = (a: unknown, b: unknown) => JSON.stringify((a as Node | null)?.toJSON?.() ?? a) === JSON.stringify((b as Node | null)?.toJSON?.() ?? b);
const keyOf = (p: Pair) => String(isScalar(p.key) ? p.key.value : p.key);
const pairRange = (p: Pair): [number, number] => [(p.key as Node).range![0], (p.value as Node | null)?.range?.[1] ?? (p.key as Node).range![1]];

/**
 * The original text with only the nodes whose value `edited` changed rewritten: the library's printer would restyle the
 * whole file (flow padding, line folding), so unchanged pairs and list items keep their own text, byte for byte.
 */
function reconcile(original: string, edited: Document): string {
  const next = edited.toString();
  if (next === original) return original;
  const o = new Lines(original), n = new Lines(next);
  const edits: LineEdit[] = [];
  const replace = (oRange: [number, number], nRange: [number, number]) => {
    const [from, to] = o.span(...oRange);
    const [nFrom, nTo] = n.span(...nRange);
    edits.push({ from, to, lines: reindent(n.lines.slice(nFrom, nTo), o.column(oRange[0]) - n.column(nRange[0])) });
  };
  const insertAfter = (oEnd: number, oColumn: number, nRange: [number, number]) => {
    const at = o.lineOf(Math.max(0, oEnd - 1)) + 1;
    const [nFrom, nTo] = n.span(...nRange);
    edits.push({ from: at, to: at, lines: reindent(n.lines.slice(nFrom, nTo), oColumn - n.column(nRange[0])) });
  };
  const diff = (a: unknown, b: unknown): boolean => {
    if (same(a, b)) return true;
    if (isMap(a) && isMap(b) && block(a) && block(b) && a.items.length > 0) {
      const column = o.column(pairRange(a.items[0])[0]);
      const end = pairRange(a.items[a.items.length - 1])[1];
      for (const pb of b.items) {
        const pa = a.items.find((x) => keyOf(x) === keyOf(pb));
        if (!pa) insertAfter(end, column, pairRange(pb));
        else if (!(block(pa.value) && block(pb.value) && diff(pa.value, pb.value)) && !same(pa.value, pb.value)) replace(pairRange(pa), pairRange(pb));
      }
      for (const pa of a.items)
        if (!b.items.some((x) => keyOf(x) === keyOf(pa))) edits.push({ ...spanEdit(o.span(...pairRange(pa))), lines: [] });
      return true;
    }
    if (isSeq(a) && isSeq(b) && block(a) && block(b) && a.items.length > 0) {
      const items = a.items as Node[], nItems = b.items as Node[];
      const column = o.column(items[0].range![0]);
      for (let i = 0; i < nItems.length; i++) {
        const ia = items[i], ib = nItems[i];
        if (!ia) insertAfter(items[items.length - 1].range![1], column, [ib.range![0], ib.range![1]]);
        else if (!(block(ia) && block(ib) && diff(ia, ib)) && !same(ia, ib)) replace([ia.range![0], ia.range![1]], [ib.range![0], ib.range![1]]);
      }
      for (const ia of items.slice(nItems.length)) edits.push({ ...spanEdit(o.span(ia.range![0], ia.range![1])), lines: [] });
      return true;
    }
    return false;
  };
  const before = parseDocument(original), after = parseDocument(next);
  if (before.errors.length > 0 || !diff(before.contents, after.contents)) return next;
  const lines = [...o.lines];
  // Bottom up, so earlier line numbers still hold; of two insertions at one line the later one first, so they read in order.
  const order = edits.map((e, i) => ({ e, i })).sort((x, y) => y.e.from - x.e.from || y.i - x.i);
  for (const { e } of order) lines.splice(e.from, e.to - e.from, ...e.lines);
  const text = lines.join("\n");
  // A splice that went wrong must not reach the file: the printer's text is the fallback.
  return same(parseDocument(text).contents, after.contents) ? text : next;
}

const spanEdit = ([from, to]: [number, number]) => ({ from, to });

/** The component whose lines hold `line` (a diagnostic's), or null: one at most, the last starting at or above it. */
export function componentAtLine(graph: PipelineGraph, line: number): ComponentNode | null {
  let found: ComponentNode | null = null;
  for (const c of graph.components) if (c.lines[0] <= line && line <= c.lines[1] && (!found || c.lines[0] >= found.lines[0])) found = c;
  return found;
}

/** Reads the graph from YAML text; throws with the parser's message when the text is not YAML. */
export function toGraph(text: string): PipelineGraph {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, keepSourceTokens: true });
  // The parser's own "at line 9, column 1" disagrees with the server's position (9:4); the server's is the one shown.
  if (doc.errors.length > 0) throw new Error(doc.errors[0].message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, ""));
  const line = (offset: number | undefined) => (offset === undefined ? 0 : counter.linePos(offset).line);
  // A block item's range ends where the next item starts (column 1 of its line): that line is the next component's.
  const lastLine = (offset: number | undefined) => {
    if (offset === undefined) return 0;
    const at = counter.linePos(offset);
    return at.col === 1 ? at.line - 1 : at.line;
  };
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
    nodes.push({ id, type: String(item.get("type") ?? ""), inputs, params, lines: [line(item.range?.[0]), Math.max(line(item.range?.[0]), lastLine(item.range?.[1]))], paramLines });
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
  return reconcile(text, doc);
}

/** Adds a component (id, type) at the end, with optional inputs and parameters (`with:`; a list's mappings written one per line, `- { column: tier, op: ... }`). */
export function addComponent(text: string, id: string, type: string, inputs: string[] = [], params?: Record<string, unknown>): string {
  const doc = parseDocument(text);
  const seq = components(doc);
  if (!seq) throw new Error("the pipeline has no 'components' list");
  if (seq.items.some((i) => isMap(i) && String(i.get("id")) === id)) throw new Error(`component id '${id}' is already used`);
  const node = doc.createNode({ id, type, ...(inputs.length > 0 ? { inputs } : {}), ...(params ? { with: params } : {}) }) as YAMLMap;
  const withNode = node.get("with", true);
  if (isMap(withNode)) {
    for (const p of withNode.items) if (isSeq(p.value)) for (const item of p.value.items) if (isMap(item)) item.flow = true;
    const inputList = node.get("inputs", true);
    if (isSeq(inputList)) inputList.flow = true;
  }
  seq.add(node);
  return reconcile(text, doc);
}

/** Connects an output to an input: `to` reads `from`. */
export function connect(text: string, from: string, to: string): string {
  const doc = parseDocument(text);
  const component = findComponent(doc, to);
  const inputs = component.get("inputs", true);
  if (isSeq(inputs)) {
    if (!inputs.items.some((i) => String(isScalar(i) ? i.value : i) === from)) inputs.add(from);
  } else component.set("inputs", doc.createNode([from]));
  return reconcile(text, doc);
}

/** Renames the pipeline (the `pipeline:` key). */
export function renamePipeline(text: string, name: string): string {
  const doc = parseDocument(text);
  doc.set("pipeline", name);
  return reconcile(text, doc);
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
  return reconcile(text, doc);
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
  return reconcile(text, doc);
}

/** A top-level section as plain values, or null. */
export function getSection(text: string, key: "schedule" | "retry" | "partitions" | "params"): Record<string, unknown> | null {
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
