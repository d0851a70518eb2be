import { describe, expect, it } from "vitest";
import { fittedZoom, nodeHeight, nodeWidth } from "./layout";

describe("fittedZoom", () => {
  it("shows a graph that fits at 100%, never zooming in", () => {
    expect(fittedZoom([{ x: 0, y: 0 }, { x: 300, y: 0 }], { width: 1000, height: 500 })).toBe(1);
  });

  it("zooms a wide graph out until it fits whole, as fitView does", () => {
    const wide = Array.from({ length: 8 }, (_, i) => ({ x: 100 + i * 256, y: 40 }));
    const zoom = fittedZoom(wide, { width: 1100, height: 560 });
    expect((7 * 256 + nodeWidth) * zoom).toBeCloseTo(1100 - 48, 6);
    expect(zoom).toBeLessThan(0.8);
  });

  it("fits by the height when the graph is tall, and stops at the canvas' 10% floor", () => {
    expect(fittedZoom([{ x: 0, y: 0 }, { x: 0, y: 924 }], { width: 1100, height: 548 })).toBeCloseTo(500 / (924 + nodeHeight), 6);
    expect(fittedZoom(Array.from({ length: 60 }, (_, i) => ({ x: i * 256, y: 0 })), { width: 1100, height: 560 })).toBe(0.1);
  });
});
