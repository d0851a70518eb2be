import { glossary, type Term } from "../glossary";

/** A caption line that says in plain words what each statistic next to it means, where the analyst meets it. */
export function Explain({ terms, lead }: { terms: readonly Term[]; lead?: string }) {
  return (
    <p className="muted explain" data-testid="explain">
      {lead ? `${lead} ` : ""}{terms.map((t, i) => <span key={t}>{i > 0 && "; "}{capitalize(glossary[t])}</span>)}.
    </p>
  );
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
