import { describe, expect, it } from "vitest";
import { createApi } from "./client";
import { createSession, withToken, type TokenStorage } from "./session";

function memory(): TokenStorage & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return { items, getItem: (k) => items.get(k) ?? null, setItem: (k, v) => void items.set(k, v), removeItem: (k) => void items.delete(k) };
}

// A server started with TRIBUTARY_TOKEN=right: 401 without it, as trib serve answers.
function tokenServer(calls: Request[] = []) {
  return async (request: Request) => {
    calls.push(request);
    if (request.headers.get("Authorization") !== "Bearer right")
      return Response.json({ status: 401, detail: "this server requires a bearer token" }, { status: 401 });
    if (new URL(request.url).pathname === "/api/write-secret") return Response.json({ header: "X-Tributary-Write-Secret", secret: null });
    return Response.json([]);
  };
}

describe("session", () => {
  it("starts signed in with the token the tab's storage kept", () => {
    const storage = memory();
    storage.setItem("tributary.token", "right");
    expect(createSession(storage).state).toEqual({ token: "right", required: false, reason: null });
  });

  it("asks for a token on the first 401, and sends the token on every call once signed in, changes and their write-secret call too", async () => {
    const storage = memory();
    const s = createSession(storage);
    const calls: Request[] = [];
    const api = createApi({ baseUrl: "http://trib.test", fetch: tokenServer(calls), session: s });
    await expect(api.runs()).rejects.toThrow("this server requires a bearer token");
    expect(s.state.required).toBe(true);
    expect(s.state.reason).toBeNull();

    s.signIn("right");
    expect(storage.items.get("tributary.token")).toBe("right");
    expect(s.state.required).toBe(false);
    await api.runs();
    await api.pause("p", true);
    expect(calls.slice(1).map((c) => `${c.method} ${new URL(c.url).pathname} ${c.headers.get("Authorization")}`)).toEqual([
      "GET /api/runs Bearer right", "GET /api/write-secret Bearer right", "POST /api/pipelines/p/pause Bearer right",
    ]);
  });

  it("forgets a token the server stops taking, and says why", async () => {
    const storage = memory();
    const s = createSession(storage);
    s.signIn("old");
    const api = createApi({ baseUrl: "http://trib.test", fetch: tokenServer(), session: s });
    await expect(api.runs()).rejects.toThrow();
    expect(s.state.token).toBeNull();
    expect(s.state.required).toBe(true);
    expect(s.state.reason).toContain("no longer accepts the token");
    expect(storage.items.has("tributary.token")).toBe(false);
  });

  it("keeps a newer token when a call sent with an older one comes back 401", async () => {
    const s = createSession(memory());
    s.signIn("old");
    let answer!: (r: Response) => void;
    const fetcher = withToken(() => new Promise<Response>((resolve) => { answer = resolve; }), s);
    const late = fetcher(new Request("http://trib.test/api/runs"));
    s.signIn("right");
    answer(new Response(null, { status: 401 }));
    await late;
    expect(s.state).toEqual({ token: "right", required: false, reason: null });
  });

  it("signs out: the token is gone from the tab and the page asks again", () => {
    const storage = memory();
    const s = createSession(storage);
    s.signIn("right");
    let changes = 0;
    s.subscribe(() => changes++);
    s.signOut();
    expect(s.state).toEqual({ token: null, required: true, reason: null });
    expect(storage.items.size).toBe(0);
    expect(changes).toBe(1);
  });
});
