import { apiFetch, problemMessage } from "./client";

/** One server-sent event: its id, name (`message` when the stream gave none) and data. */
export interface ServerEvent {
  id: string | null;
  event: string;
  data: string;
}

/** Splits a server-sent event stream (text/event-stream) into events as its chunks arrive, however they are cut. */
export function eventParser(onEvent: (e: ServerEvent) => void) {
  let buffer = "";
  let id: string | null = null;
  let event = "";
  let data: string[] = [];
  return (chunk: string) => {
    buffer += chunk;
    let end: number;
    while ((end = buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + (buffer.startsWith("\r\n", end) ? 2 : 1));
      if (line === "") {
        if (data.length > 0) onEvent({ id, event: event || "message", data: data.join("\n") });
        event = "";
        data = [];
        continue;
      }
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "data") data.push(value);
      else if (field === "event") event = value;
      else if (field === "id") id = value;
    }
  };
}

export interface EventHandlers {
  /** An event without a name (a RunEvent's JSON). */
  onMessage?: (data: string) => void;
  /** The `end` event (RunEnded's JSON); the stream is closed after it. */
  onEnd?: (data: string) => void;
  /** The server refused the stream, or it could not be reached again. */
  onFailed?: (message: string) => void;
}

type Fetch = (url: string, init?: RequestInit) => Promise<Response>;

/**
 * Follows a server-sent event stream with fetch, so that it carries the session's token (EventSource sends no headers).
 * A connection that drops before `end` is opened again with Last-Event-ID, as EventSource would; returns the close.
 */
export function followEvents(url: string, handlers: EventHandlers, fetcher: Fetch = apiFetch, retryMs = 1000): () => void {
  const abort = new AbortController();
  let lastId: string | null = null;
  let ended = false;
  const dispatch = (e: ServerEvent) => {
    if (e.id !== null) lastId = e.id;
    if (e.event === "end") {
      ended = true;
      handlers.onEnd?.(e.data);
      abort.abort();
    } else if (e.event === "message") handlers.onMessage?.(e.data);
  };
  const follow = async () => {
    for (let failures = 0; !abort.signal.aborted; ) {
      try {
        const headers: Record<string, string> = { Accept: "text/event-stream" };
        if (lastId !== null) headers["Last-Event-ID"] = lastId;
        const response = await fetcher(url, { headers, signal: abort.signal });
        if (!response.ok || !response.body) {
          handlers.onFailed?.(problemMessage(await response.json().catch(() => null), response.status));
          return;
        }
        failures = 0;
        const parse = eventParser(dispatch);
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done || ended) break;
          parse(value);
        }
      } catch {
        if (abort.signal.aborted || ended) return;
        if (++failures >= 3) {
          handlers.onFailed?.("the server cannot be reached");
          return;
        }
      }
      if (ended || abort.signal.aborted) return;
      await new Promise((resolve) => setTimeout(resolve, retryMs));
    }
  };
  void follow();
  return () => abort.abort();
}
