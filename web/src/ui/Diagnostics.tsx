import type { Diagnostic } from "../api/client";

/** The diagnostics that make a pipeline invalid (no Save, no Run); warnings are shown but stop nothing. */
export const errorsIn = (diagnostics: Diagnostic[]) => diagnostics.filter((d) => d.severity === "error");

/** The diagnostics that leave a pipeline valid, e.g. an asset another pipeline of the project defines otherwise. */
export const warningsIn = (diagnostics: Diagnostic[]) => diagnostics.filter((d) => d.severity === "warning");

const warningCount = (n: number) => `${n} warning${n === 1 ? "" : "s"}`;

/** The designer's verdict on the text: "Valid", "1 warning" (valid all the same), or "2 problem(s)" with any warnings after. */
export function ValidationBadge({ diagnostics }: { diagnostics: Diagnostic[] }) {
  const errors = errorsIn(diagnostics).length;
  const warnings = warningsIn(diagnostics).length;
  const [tone, text] = errors > 0 ? ["failed", `${errors} problem(s)${warnings > 0 ? `, ${warningCount(warnings)}` : ""}`]
    : warnings > 0 ? ["warning", warningCount(warnings)] : ["succeeded", "Valid"];
  return <span className={`badge ${tone}`} aria-live="polite" data-testid="validation">{text}</span>;
}

/** Every diagnostic by line: errors as they always were, each warning marked as one in its own colour. */
export function DiagnosticList({ diagnostics }: { diagnostics: Diagnostic[] }) {
  if (diagnostics.length === 0) return null;
  return (
    <ul className="diagnostics" aria-label="Problems">
      {diagnostics.map((d, i) => d.severity === "warning"
        ? <li key={i} className="warning"><strong>warning</strong> line {d.line}:{d.column} {d.message} {d.hint}</li>
        : <li key={i}>line {d.line}:{d.column} {d.message} {d.hint}</li>)}
    </ul>
  );
}
