import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../api/client";
import { DiagnosticList, ValidationBadge } from "./Diagnostics";

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
      .toBe('<span class="badge failed" aria-live="polite" data-testid="validation">1 problem(s), 1 warning</span>');
    expect(renderToStaticMarkup(<ValidationBadge diagnostics={[error]} />)).toContain('class="badge failed"');
    expect(renderToStaticMarkup(<ValidationBadge diagnostics={[]} />)).toContain('class="badge succeeded" aria-live="polite" data-testid="validation">Valid<');
  });
});

describe("DiagnosticList", () => {
  it("marks a warning as one, and shows an error as errors always were", () => {
    const html = renderToStaticMarkup(<DiagnosticList diagnostics={[error, warning]} />);
    expect(html).toBe('<ul class="diagnostics" aria-label="Problems">'
      + "<li>line 3:5 no parameter &#x27;x&#x27; </li>"
      + '<li class="warning"><strong>warning</strong> line 4:5 asset &#x27;identity_graph&#x27; of pipeline &#x27;ltv&#x27; is defined differently in '
      + "pipelines/attribution.yaml:5:5 Give one of them another id, or define both alike.</li></ul>");
  });

  it("shows nothing when there is nothing to say", () => {
    expect(renderToStaticMarkup(<DiagnosticList diagnostics={[]} />)).toBe("");
  });
});
