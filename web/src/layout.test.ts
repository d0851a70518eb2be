import { describe, expect, it } from "vitest";
import { initialViewport, nodeHeight, nodeWidth, readableZoom } from "./layout";

describe("initialViewport", () => {
  it("centres a graph that fits, never zooming above 100%", () => {
    const v = initialViewport([{ x: 0, y: 0 }, { x: 300, y: 0 }], { width: 1000, height: 500 });
    expect(v.zoom).toBe(1);
    expect(v.fits).toBe(true);
    expect(v.x).toBe((1000 - (300 + nodeWidth)) / 2);
    expect(v.y).toBe((500 - nodeHeight) / 2);
  });

  it("keeps a wide graph readable and shows its start, to be panned", () => {
    const wide = Array.from({ length: 12 }, (_, i) => ({ x: 100 + i * 256, y: 40 }));
    const v = initialViewport(wide, { width: 900, height: 560 });
    expect(v.zoom).toBe(readableZoom);
    expect(v.fits).toBe(false);
    // The leftmost node starts at the padding; the rest lies beyond the right edge.
    expect(100 * v.zoom + v.x).toBe(24);
  });

  it("zooms out no further than readable when the graph nearly fits", () => {
    const v = initialViewport([{ x: 0, y: 0 }, { x: 1000, y: 0 }], { width: 1100, height: 560 });
    expect(v.zoom).toBeGreaterThanOrEqual(readableZoom);
    expect(v.zoom).toBeLessThan(1);
  });
});
