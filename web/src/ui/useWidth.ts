import { useCallback, useEffect, useState } from "react";

/** An element's width as laid out, kept current on resize; Infinity until measured (and where layout is unknown, as in tests). */
export function useWidth(): [(element: HTMLElement | null) => void, number] {
  const [width, setWidth] = useState(Infinity);
  const [element, setElement] = useState<HTMLElement | null>(null);
  const ref = useCallback((e: HTMLElement | null) => setElement(e), []);
  useEffect(() => {
    if (!element) return;
    setWidth(element.getBoundingClientRect().width || Infinity);
    if (typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(([entry]) => setWidth(entry.contentRect.width || Infinity));
    observer.observe(element);
    return () => observer.disconnect();
  }, [element]);
  return [ref, width];
}
