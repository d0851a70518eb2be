import { renderToStaticMarkup } from "react-dom/server";
import type { ReactElement } from "react";
import { describe, expect, it, vi } from "vitest";
import type { Diagnostic } from "../api/client";
import { DiagnosticList, rangeAt, revealInTextarea, showList, ValidationBadge } from "./Diagnostics";

const error: Diagnostic = { code: "TRIB0102", severity: "error", line: 3, column: 5, message: "no parameter 'x'", hint: null };
const warning: Diagnostic = {
  code: "TRIB0209", severity: "warning", line: 4, column: 5,
  message: "asset 'identity_graph' of pipeline 'ltv' is defined differently in pipelines/attribution.yaml:5:5", hint: "Give one of them another id, or define both alike.",
};

describe("ValidationBadge", () => {
  it("says a pipeline with only warnings has warnings, in the warning style, not that it has problems", () => {
    expect(renderToStaticMarkup(<ValidationBadge diagnostics={[warning]} />))
      .toBe('<span class="badge warning" aria-live="polite" data-testid="validation">1 warning</span>');
    expect(renderToStaticMarkup(<ValidationBadge diagnostics={[warning, warning]} />)).toContain(">2 warnings<");
  });

  it("counts errors as problems, and the warnings after them", () => {
    expect(renderToStaticMarkup(<ValidationBadge diagnostics={[error, warning]} />))
      .toBe('<span class="badge failed" aria-live="polite" data-testid="validation">1 problem, 1 warning</span>');
    expect(renderToStaticMarkup(<ValidationBadge diagnostics={[error]} />)).toContain('class="badge failed"');
    expect(renderToStaticMarkup(<ValidationBadge diagnostics={[]} />)).toContain('class="badge succeeded" aria-live="polite" data-testid="validation">Valid<');
  });
});

describe("DiagnosticList", () => {
  it("marks a warning as one, and shows an error as errors always were", () => {
    const html = renderToStaticMarkup(<DiagnosticList diagnostics={[error, warning]} />);
    expect(html).toBe('<ul class="diagnostics" aria-label="Problems">'
      + "<li>line 3:5 no parameter &#x27;x&#x27;</li>"
      + '<li class="warning"><strong>warning</strong> line 4:5 asset &#x27;identity_graph&#x27; of pipeline &#x27;ltv&#x27; is defined differently in '
      + "pipelines/attribution.yaml:5:5 Give one of them another id, or define both alike.</li></ul>");
  });

  it("shows nothing when there is nothing to say", () => {
    expect(renderToStaticMarkup(<DiagnosticList diagnostics={[]} />)).toBe("");
  });
});

type Props = { children?: unknown; onClick?: () => void };
const props = (e: unknown) => (e as ReactElement<Props>).props;

describe("ValidationBadge with onShow", () => {
  it("is a button that goes to the list when there is something in it", () => {
    const onShow = vi.fn();
    const badge = ValidationBadge({ diagnostics: [error, warning], onShow }) as ReactElement<Props>;
    expect(renderToStaticMarkup(badge)).toBe('<button type="button" class="badge failed" aria-live="polite" data-testid="validation" title="Go to the list">1 problem, 1 warning</button>');
    badge.props.onClick!();
    expect(onShow).toHaveBeenCalledOnce();
    expect(renderToStaticMarkup(<ValidationBadge diagnostics={[warning]} onShow={onShow} />)).toContain('<button type="button" class="badge warning"');
  });

  it("stays a plain badge when the text is valid", () => {
    expect(renderToStaticMarkup(<ValidationBadge diagnostics={[]} onShow={() => {}} />)).toBe('<span class="badge succeeded" aria-live="polite" data-testid="validation">Valid</span>');
  });
});

describe("DiagnosticList with onPick", () => {
  it("makes each diagnostic a button with the same text, which picks that diagnostic", () => {
    const onPick = vi.fn();
    const html = renderToStaticMarkup(<DiagnosticList diagnostics={[error, warning]} onPick={onPick} />);
    expect(html).toContain('<li><button type="button" title="Show in the YAML">line 3:5 no parameter &#x27;x&#x27;</button></li>');
    expect(html).toContain('<li class="warning"><strong>warning</strong> <button type="button" title="Show in the YAML">line 4:5 asset');
    const items = props(DiagnosticList({ diagnostics: [error, warning], onPick })).children as ReactElement<Props>[];
    props(items[0].props.children).onClick!();
    const [, , button] = items[1].props.children as unknown[];
    props(button).onClick!();
    expect(onPick.mock.calls).toEqual([[error], [warning]]);
  });
});

describe("showList", () => {
  it("scrolls the list into view and focuses its first entry", () => {
    const first = { focus: vi.fn() };
    const list = { scrollIntoView: vi.fn(), querySelector: vi.fn(() => first), focus: vi.fn() };
    showList(list as unknown as HTMLElement);
    expect(list.scrollIntoView).toHaveBeenCalledWith({ block: "nearest" });
    expect(list.querySelector).toHaveBeenCalledWith("button");
    expect(first.focus).toHaveBeenCalledWith({ preventScroll: true });
    expect(() => showList(null)).not.toThrow();
  });
});

describe("rangeAt", () => {
  const text = "name: x\ncomponents:\n  - id: rfm\n    type: segment.rfmm\n";
  it("runs from line:column (1-based) to the end of that line", () => {
    const { start, end } = rangeAt(text, 4, 11);
    expect(text.slice(start, end)).toBe("segment.rfmm");
    expect(rangeAt(text, 1, 1)).toEqual({ start: 0, end: 7 });
  });

  it("stays inside the text for places past its end", () => {
    expect(rangeAt(text, 99, 1)).toEqual({ start: text.length, end: text.length });
    expect(rangeAt(text, 1, 99)).toEqual({ start: 7, end: 7 });
    expect(rangeAt("", 1, 1)).toEqual({ start: 0, end: 0 });
  });
});

describe("revealInTextarea", () => {
  it("selects the diagnostic's place, focuses the editor and scrolls its line to the middle", () => {
    const value = Array.from({ length: 100 }, (_, i) => (i === 85 ? "    type: segment.rfmm" : `line${i + 1}`)).join("\n");
    const textarea = { value, focus: vi.fn(), setSelectionRange: vi.fn(), scrollIntoView: vi.fn(), scrollTop: 0, scrollHeight: 2000, clientHeight: 400 };
    revealInTextarea(textarea as unknown as HTMLTextAreaElement, { line: 86, column: 11 });
    const [start, end] = textarea.setSelectionRange.mock.calls[0] as [number, number];
    expect(value.slice(start, end)).toBe("segment.rfmm");
    expect(textarea.focus).toHaveBeenCalledWith({ preventScroll: true });
    expect(textarea.scrollIntoView).toHaveBeenCalledWith({ block: "nearest" });
    expect(textarea.scrollTop).toBe(85.5 * 20 - 200);
  });
});
