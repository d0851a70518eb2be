import type { Ref } from "react";
import type { Diagnostic } from "../api/client";

/** The diagnostics that make a pipeline invalid (no Save, no Run); warnings are shown but stop nothing. */
export const errorsIn = (diagnostics: Diagnostic[]) => diagnostics.filter((d) => d.severity === "error");

/** The diagnostics that leave a pipeline valid, e.g. an asset another pipeline of the project defines otherwise. */
export const warningsIn = (diagnostics: Diagnostic[]) => diagnostics.filter((d) => d.severity === "warning");

const counted = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/**
 * The designer's verdict on the text: "Valid", "1 warning" (valid all the same), or "2 problems" with any warnings after.
 * With `onShow`, a verdict that has something to show is a button that goes to the list.
 */
export function ValidationBadge({ diagnostics, onShow }: { diagnostics: Diagnostic[]; onShow?: () => void }) {
  const errors = errorsIn(diagnostics).length;
  const warnings = warningsIn(diagnostics).length;
  const [tone, text] = errors > 0 ? ["failed", `${counted(errors, "problem")}${warnings > 0 ? `, ${counted(warnings, "warning")}` : ""}`]
    : warnings > 0 ? ["warning", counted(warnings, "warning")] : ["succeeded", "Valid"];
  return onShow && diagnostics.length > 0
    ? <button type="button" className={`badge ${tone}`} aria-live="polite" data-testid="validation" title="Go to the list" onClick={onShow}>{text}</button>
    : <span className={`badge ${tone}`} aria-live="polite" data-testid="validation">{text}</span>;
}

/** Every diagnostic by line: errors as they always were, each warning marked as one in its own colour; with `onPick`, each one a button. */
export function DiagnosticList({ diagnostics, onPick, ref }: { diagnostics: Diagnostic[]; onPick?: (d: Diagnostic) => void; ref?: Ref<HTMLUListElement> }) {
  if (diagnostics.length === 0) return null;
  const entry = (d: Diagnostic) => {
    const text = `line ${d.line}:${d.column} ${d.message}${d.hint ? ` ${d.hint}` : ""}`;
    return onPick ? <button type="button" title="Show in the YAML" onClick={() => onPick(d)}>{text}</button> : text;
  };
  return (
    <ul className="diagnostics" aria-label="Problems" ref={ref}>
      {diagnostics.map((d, i) => d.severity === "warning"
        ? <li key={i} className="warning"><strong>warning</strong> {entry(d)}</li>
        : <li key={i}>{entry(d)}</li>)}
    </ul>
  );
}

/** The problems list in view, its first entry focused (so Enter goes on to the text). */
export function showList(list: Pick<HTMLElement, "scrollIntoView" | "querySelector" | "focus"> | null) {
  if (!list) return;
  list.scrollIntoView({ block: "nearest" });
  (list.querySelector("button") ?? list).focus({ preventScroll: true });
}

/** Where line:column (1-based, as the validator counts) falls in the text: from there to the end of that line. */
export function rangeAt(text: string, line: number, column: number): { start: number; end: number } {
  const lines = text.split("\n");
  const at = Math.min(Math.max(line, 1), lines.length) - 1;
  const lineStart = lines.slice(0, at).reduce((n, l) => n + l.length + 1, 0);
  return { start: lineStart + Math.min(Math.max(column, 1) - 1, lines[at].length), end: lineStart + lines[at].length };
}

type Textarea = Pick<HTMLTextAreaElement, "value" | "focus" | "setSelectionRange" | "scrollIntoView" | "scrollTop" | "scrollHeight" | "clientHeight">;

/** Selects a diagnostic's place in the YAML and scrolls its line to the middle: what line numbers would give. */
export function revealInTextarea(textarea: Textarea, d: Pick<Diagnostic, "line" | "column">) {
  const { start, end } = rangeAt(textarea.value, d.line, d.column);
  textarea.scrollIntoView({ block: "nearest" });
  textarea.focus({ preventScroll: true });
  textarea.setSelectionRange(start, end);
  const lineHeight = textarea.scrollHeight / textarea.value.split("\n").length;
  textarea.scrollTop = Math.max(0, (d.line - 0.5) * lineHeight - textarea.clientHeight / 2);
}
