import type { ReactNode } from "react";
import type { ColumnUnit } from "../columnUnits";
import { moneyHeader } from "../usePipelineCurrency";
import { alignedFormat, alignedPercentFormat, formatCell, formatCount, formatMoney, formatPercent, isNumericKind } from "./format";
import { ariaSort, nextSort, type Sort } from "./sorting";
import { useMediaQuery } from "./useMediaQuery";

/**
 * The UI's components: every page is built from these and the tokens in styles.css, so that type, spacing, buttons,
 * forms, tables and the loading, empty and error states look and behave the same everywhere.
 */

/** A page: its title, optional subtitle and actions on the right, then its content full width. */
export function Page({ title, subtitle, actions, children }: { title: ReactNode; subtitle?: ReactNode; actions?: ReactNode; children: ReactNode }) {
  return (
    <section className="page">
      <div className="page-head">
        <div>
          <h1>{title}</h1>
          {subtitle && <p className="muted">{subtitle}</p>}
        </div>
        {actions && <div className="actions">{actions}</div>}
      </div>
      {children}
    </section>
  );
}

/** A card with an optional heading; labelled by it for assistive technology. */
export function Card({ title, actions, children, label }: { title?: ReactNode; actions?: ReactNode; children: ReactNode; label?: string }) {
  return (
    <article className="card" aria-label={label}>
      {(title || actions) && <div className="card-head">{title && <h2>{title}</h2>}{actions && <div className="actions">{actions}</div>}</div>}
      {children}
    </article>
  );
}

/** What a page or card shows when there is nothing yet, and what to do about it. */
export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty" role="status">
      <strong>{title}</strong>
      {children && <p>{children}</p>}
    </div>
  );
}

/** A spinner with what is being loaded. */
export function Loading({ what = "Loading" }: { what?: string }) {
  return <p className="loading" role="status"><span className="spinner" aria-hidden="true" />{what}…</p>;
}

/** An error the user should see, with what failed. */
export function ErrorNotice({ children }: { children: ReactNode }) {
  return <div className="notice error" role="alert">{children}</div>;
}

/** A run, step or check status as a coloured badge. */
export function StatusBadge({ status, testId }: { status: string; testId?: string }) {
  return <span className={`badge ${status}`} data-testid={testId}>{status}</span>;
}

export interface Column<T> {
  key: string;
  header: ReactNode;
  /** Right-aligned with tabular figures. */
  numeric?: boolean;
  /** Long text that wraps in its cell instead of being cut off, so the table fits its card. */
  wrap?: boolean;
  /** Shown only where there is room: hidden on a phone, so that the columns that answer the table's question stay on screen. */
  wide?: boolean;
  cell: (row: T) => ReactNode;
  /** The header's aria-sort, when the table can be sorted by this column. */
  sort?: "ascending" | "descending" | "none";
}

const cellClass = (c: { numeric?: boolean; wrap?: boolean; wide?: boolean }) => [c.numeric && "num", c.wrap && "wrap", c.wide && "wide-only"].filter(Boolean).join(" ") || undefined;

/**
 * A table in a scrolling card: sticky header, numbers right-aligned, an empty state when there are no rows. Stacked, each
 * row is a card on a phone instead (its first cell the card's title, every other cell a line under its column's name), so
 * that a table of many columns reads without scrolling sideways.
 */
export function DataTable<T>({ columns, rows, rowKey, empty, caption, maxHeight, stacked = false }: {
  columns: Column<T>[]; rows: T[]; rowKey: (row: T, index: number) => string; empty?: ReactNode; caption?: string; maxHeight?: number; stacked?: boolean;
}) {
  const cards = useMediaQuery(phoneWidth) && stacked;
  return (
    <div className={stacked ? "table-wrap stacked" : "table-wrap"} style={maxHeight ? { maxHeight } : undefined} tabIndex={0} aria-label={caption ?? "table"} role="region">
      <table>
        {caption && <caption className="sr-only">{caption}</caption>}
        <thead><tr>{columns.map((c) => <th key={c.key} scope="col" className={cellClass({ numeric: c.numeric, wide: c.wide })} aria-sort={c.sort}>{c.header}</th>)}</tr></thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={rowKey(r, i)}>
              {columns.map((c, j) => <td key={c.key} className={cellClass(c)}>{cards && j > 0 ? <StackedCell label={c.header}>{c.cell(r)}</StackedCell> : c.cell(r)}</td>)}
            </tr>
          ))}
          {rows.length === 0 && <tr><td colSpan={columns.length} className="empty-cell">{empty ?? "Nothing here yet."}</td></tr>}
        </tbody>
      </table>
    </div>
  );
}

/** Where stacked tables are cards (styles.css has the same width). */
export const phoneWidth = "(max-width: 760px)";

/** A cell of a stacked table shown as a card (on a phone): its column's name, then its value. */
export function StackedCell({ label, children }: { label: ReactNode; children: ReactNode }) {
  return <><span className="stacked-label">{label}</span><span className="stacked-value">{children}</span></>;
}

/**
 * Rows of a warehouse table (columns with kinds, rows of values) formatted for people. With onSort, each header is a
 * button that asks for the rows in another order (the caller fetches them, so the whole table is sorted, not the page);
 * units name what a column's numbers count, e.g. "weeks"; valueUnits say which columns are shares (read as percents) or
 * money (two decimals, the currency in the header).
 */
export function ResultTable({ columns, rows, caption, maxHeight, sort, onSort, units, valueUnits, currency = null, empty }: {
  columns: { name: string; type: string }[]; rows: readonly (readonly unknown[])[]; caption?: string; maxHeight?: number;
  sort?: Sort | null; onSort?: (sort: Sort) => void; units?: Record<string, string>; valueUnits?: Record<string, ColumnUnit>; currency?: string | null; empty?: ReactNode;
}) {
  // Each numeric column at one precision, so that its values line up.
  const numbers = columns.map((c, j) => (isNumericKind(c.type) ? alignedFormat(rows.map((r) => r[j])) : null));
  // A share column's percents line up too.
  const percents = columns.map((c, j) => (valueUnits?.[c.name] === "share" ? alignedPercentFormat(rows.map((r) => r[j])) : formatPercent));
  const cell = (v: unknown, j: number) => {
    const unit = valueUnits?.[columns[j].name];
    if (typeof v === "number" && unit === "share") return percents[j](v);
    if (typeof v === "number" && unit === "money") return formatMoney(v);
    const format = numbers[j];
    if (typeof v !== "number" || format === null) return formatCell(v);
    // The exact value where the column's precision rounded it, as the CSV download keeps it.
    const text = format(v);
    return text === String(v) || Number.isInteger(v) ? text : <span title={String(v)}>{text}</span>;
  };
  const header = (c: { name: string; type: string }) => {
    const name = valueUnits?.[c.name] === "money" ? moneyHeader(c.name, currency) : c.name;
    const label = <>{name}{units?.[c.name] && <span className="muted"> ({units[c.name]})</span>}</>;
    if (!onSort) return label;
    const order = ariaSort(sort, c.name);
    return (
      <button type="button" className="sort-header" title={`Sort the whole table by ${c.name}`} onClick={() => onSort(nextSort(sort ?? null, c.name, isNumericKind(c.type)))}>
        {label}<span aria-hidden="true" className="sort-mark">{order === "ascending" ? " ▲" : order === "descending" ? " ▼" : " ↕"}</span>
      </button>
    );
  };
  return (
    <DataTable caption={caption} maxHeight={maxHeight} rows={rows as unknown[][]} rowKey={(_, i) => String(i)} empty={empty ?? "The table has no rows."}
      columns={columns.map((c, j) => ({ key: `${j}:${c.name}`, header: header(c), numeric: isNumericKind(c.type), sort: onSort ? ariaSort(sort, c.name) : undefined, cell: (r: unknown[]) => cell(r[j], j) }))} />
  );
}

/** "rows 1–25 of 1,983" with previous and next; `label` names what is counted when not rows ("profiles 21–40 of 113"). */
export function Pager({ offset, size, total, onChange, label = "rows" }: { offset: number; size: number; total: number; onChange: (offset: number) => void; label?: string }) {
  const last = Math.min(total, offset + size);
  return (
    <div className="pager">
      <button className="secondary" onClick={() => onChange(Math.max(0, offset - size))} disabled={offset === 0}>Previous</button>
      <span aria-live="polite">{total === 0 ? `no ${label}` : `${label} ${formatCount(offset + 1)}–${formatCount(last)} of ${formatCount(total)}`}</span>
      <button className="secondary" onClick={() => onChange(offset + size)} disabled={last >= total}>Next</button>
    </div>
  );
}
