import { describe, expect, it } from "vitest";
import { eventParser, followEvents, type ServerEvent } from "./events";

const stream = (...chunks: string[]) => new ReadableStream<Uint8Array>({
  start(c) {
    for (const chunk of chunks) c.enqueue(new TextEncoder().encode(chunk));
    c.close();
  },
});

describe("eventParser", () => {
  it("splits events however the chunks are cut, with ids, names and multi-line data", () => {
    const events: ServerEvent[] = [];
    const parse = eventParser((e) => events.push(e));
    for (const chunk of ["id: 1\ndata: {\"a\"", ":1}\n\n: comment\r\nid: 2\r\nevent: end\r\ndata: x\r\ndata: y\r\n", "\r\n"]) parse(chunk);
    expect(events).toEqual([{ id: "1", event: "message", data: "{\"a\":1}" }, { id: "2", event: "end", data: "x\ny" }]);
  });
});

describe("followEvents", () => {
  it("follows with the given fetch, and reconnects after a dropped stream with Last-Event-ID until the end", async () => {
    const asked: (string | null)[] = [];
    const fetcher = async (_url: string, init?: RequestInit) => {
      const last = new Headers(init?.headers).get("Last-Event-ID");
      asked.push(last);
      return new Response(last === null ? stream("id: 1\ndata: one\n\n") : stream("id: 2\ndata: two\n\nevent: end\ndata: {\"status\":\"succeeded\"}\n\n"));
    };
    const messages: string[] = [];
    const ended = await new Promise<string>((resolve) => {
      followEvents("/api/runs/r/events", { onMessage: (d) => messages.push(d), onEnd: resolve }, fetcher, 1);
    });
    expect(messages).toEqual(["one", "two"]);
    expect(ended).toBe("{\"status\":\"succeeded\"}");
    expect(asked).toEqual([null, "1"]);
  });

  it("says why when the server refuses the stream", async () => {
    const fetcher = async () => Response.json({ detail: "no run 'r'" }, { status: 404 });
    expect(await new Promise<string>((resolve) => { followEvents("/api/runs/r/events", { onFailed: resolve }, fetcher); })).toBe("no run 'r'");
  });
});
