/**
 * The bearer token of a server started with TRIBUTARY_TOKEN, as this tab signed in with it. Kept in sessionStorage: it
 * lives as long as the tab, is not shared with other tabs, and is never sent by the browser on its own (a cookie would be,
 * to any page that posts to the server), so only this page's code puts it on requests, as `Authorization: Bearer`.
 */
export interface SessionState {
  /** The token this tab signed in with, or null. */
  token: string | null;
  /** The server answered 401: it needs a token, and the one sent (if any) was not it. */
  required: boolean;
  /** Why the last token stopped working, for the sign-in form to say. */
  reason: string | null;
}

export interface TokenStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

const key = "tributary.token";

/** The tab's session; `createSession` takes another storage in tests. */
export function createSession(storage: TokenStorage | null) {
  let state: SessionState = { token: read(), required: false, reason: null };
  const listeners = new Set<() => void>();
  function read(): string | null {
    try { return storage?.getItem(key) ?? null; } catch { return null; }
  }
  function set(next: SessionState) {
    state = next;
    for (const l of listeners) l();
  }
  return {
    get state(): SessionState { return state; },
    /** Called on every change; returns the unsubscribe. */
    subscribe(listener: () => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    signIn(token: string) {
      storage?.setItem(key, token);
      set({ token, required: false, reason: null });
    },
    signOut() {
      storage?.removeItem(key);
      set({ token: null, required: true, reason: null });
    },
    /** A 401 answer to `sent` (the token the request carried): a stale token is forgotten, and the page asks for one. */
    refused(sent: string | null) {
      if (state.required && state.token === null) return;
      // A late 401 to an older token must not sign out a newer one.
      if (sent !== null && sent !== state.token) return;
      storage?.removeItem(key);
      set({ token: null, required: true, reason: sent === null ? null : "the server no longer accepts the token this tab signed in with (was it restarted with another TRIBUTARY_TOKEN?)" });
    },
  };
}

export type Session = ReturnType<typeof createSession>;

/** This tab's session. */
export const session = createSession(typeof sessionStorage === "undefined" ? null : sessionStorage);

type Fetcher = (request: Request) => Promise<Response>;

/** `fetcher` with the session's token on every request, telling the session when the server refuses it (401). */
export function withToken(fetcher: Fetcher, s: Session = session): Fetcher {
  return async (request) => {
    const token = s.state.token;
    if (token !== null) request.headers.set("Authorization", `Bearer ${token}`);
    const response = await fetcher(request);
    if (response.status === 401) s.refused(token);
    return response;
  };
}
