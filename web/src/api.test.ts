import { beforeEach, describe, expect, it } from "vitest";
import { forgetWriteSecret, problemMessage, send } from "./api";

function fakeServer() {
  const calls: { url: string; headers: Headers; method: string }[] = [];
  const fetcher = (async (url: string, init: RequestInit = {}) => {
    calls.push({ url, headers: new Headers(init.headers), method: init.method ?? "GET" });
    if (url === "/api/write-secret") return new Response(JSON.stringify({ header: "X-Tributary-Write-Secret", secret: "abc" }), { status: 200 });
    return new Response("{}", { status: 200 });
  }) as typeof fetch;
  return { calls, fetcher };
}

describe("send", () => {
  beforeEach(() => forgetWriteSecret());

  it("adds the write secret to changes, asking the server once", async () => {
    const { calls, fetcher } = fakeServer();
    await send("/api/pipelines/x/pause", { method: "POST" }, fetcher);
    await send("/api/runs", { method: "POST", headers: { "Content-Type": "application/json" } }, fetcher);
    expect(calls.map((c) => c.url)).toEqual(["/api/write-secret", "/api/pipelines/x/pause", "/api/runs"]);
    expect(calls[1].headers.get("X-Tributary-Write-Secret")).toBe("abc");
    expect(calls[2].headers.get("X-Tributary-Write-Secret")).toBe("abc");
    expect(calls[2].headers.get("Content-Type")).toBe("application/json");
  });

  it("leaves reads alone", async () => {
    const { calls, fetcher } = fakeServer();
    await send("/api/runs", {}, fetcher);
    expect(calls.map((c) => c.url)).toEqual(["/api/runs"]);
    expect(calls[0].headers.get("X-Tributary-Write-Secret")).toBeNull();
  });
});

describe("problemMessage", () => {
  it("is the ProblemDetails detail, else its title, else the status", () => {
    expect(problemMessage({ title: "Not Found", detail: "no pipeline 'x'" }, 404)).toBe("no pipeline 'x'");
    expect(problemMessage({ title: "Bad Request" }, 400)).toBe("Bad Request");
    expect(problemMessage({}, 500)).toBe("HTTP 500");
  });
});
