import { describe, expect, it } from "vitest";
import { ApiError, createApi, errorMessage, problemMessage, unreachableMessage } from "./client";

// A fake server: the write secret, then whatever answer the test gives for everything else.
function fakeServer(answer: (request: Request) => Response = () => Response.json({})) {
  const calls: Request[] = [];
  const fetch = async (request: Request) => {
    calls.push(request);
    if (new URL(request.url).pathname === "/api/write-secret") return Response.json({ header: "X-Tributary-Write-Secret", secret: "abc" });
    return answer(request);
  };
  return { calls, api: createApi({ baseUrl: "http://trib.test", fetch }) };
}

describe("createApi", () => {
  it("adds the write secret to changes, asking the server once", async () => {
    const { calls, api } = fakeServer(() => Response.json({ queue_id: "q1" }, { status: 202 }));
    await api.pause("x", true);
    expect(await api.run({ pipeline: "x" })).toEqual({ queue_id: "q1" });
    expect(calls.map((c) => `${c.method} ${new URL(c.url).pathname}`)).toEqual(["GET /api/write-secret", "POST /api/pipelines/x/pause", "POST /api/runs"]);
    expect(calls[1].headers.get("X-Tributary-Write-Secret")).toBe("abc");
    expect(calls[2].headers.get("X-Tributary-Write-Secret")).toBe("abc");
    expect(calls[2].headers.get("Content-Type")).toBe("application/json");
    expect(await calls[2].json()).toEqual({ pipeline: "x" });
  });

  it("leaves reads alone", async () => {
    const { calls, api } = fakeServer(() => Response.json([]));
    await api.runs();
    expect(calls.map((c) => new URL(c.url).pathname)).toEqual(["/api/runs"]);
    expect(calls[0].headers.get("X-Tributary-Write-Secret")).toBeNull();
  });

  it("encodes path segments and query values", async () => {
    const { calls, api } = fakeServer(() => Response.json({ columns: [], rows: [] }));
    await api.asset("a/b c?#", 5);
    await api.runs("x&y=1");
    expect(new URL(calls[0].url).pathname).toBe("/api/assets/a%2Fb%20c%3F%23");
    expect(new URL(calls[0].url).searchParams.get("limit")).toBe("5");
    expect(new URL(calls[1].url).searchParams.get("pipeline")).toBe("x&y=1");
  });

  it("throws the server's ProblemDetails as an ApiError with its detail and diagnostics", async () => {
    const diagnostics = [{ code: "TRIB0102", severity: "error", line: 3, column: 5, message: "no parameter 'x'", hint: null }];
    const { api } = fakeServer(() => Response.json({ status: 400, detail: "the pipeline has errors", diagnostics }, { status: 400, headers: { "Content-Type": "application/problem+json" } }));
    const error = await api.save("p", "pipeline: p").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).message).toBe("the pipeline has errors");
    expect((error as ApiError).status).toBe(400);
    expect((error as ApiError).diagnostics).toEqual(diagnostics);
  });

  it("throws an ApiError naming the status when the answer is not ProblemDetails", async () => {
    const { api } = fakeServer(() => new Response("bad gateway", { status: 502 }));
    await expect(api.runs()).rejects.toThrow("HTTP 502");
  });
});

describe("problemMessage", () => {
  it("is the ProblemDetails detail, else its title, else the status", () => {
    expect(problemMessage({ title: "Not Found", detail: "no pipeline 'x'" }, 404)).toBe("no pipeline 'x'");
    expect(problemMessage({ title: "Bad Request" }, 400)).toBe("Bad Request");
    expect(problemMessage({}, 500)).toBe("HTTP 500");
  });
});

describe("errorMessage", () => {
  it("says the server cannot be reached when no answer came back, not the browser's 'Failed to fetch'", async () => {
    const api = createApi({ baseUrl: "http://trib.test", fetch: async () => { throw new TypeError("Failed to fetch"); } });
    const failure = await api.runs().then(() => null, (e: unknown) => e);
    expect(errorMessage(failure)).toBe(unreachableMessage);
    expect(errorMessage(new ApiError(404, { detail: "no run 'x'" }))).toBe("no run 'x'");
  });
});
