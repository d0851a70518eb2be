import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { checkToken } from "./api/client";
import { createSession, type TokenStorage } from "./api/session";
import { SignIn, signIn } from "./SignIn";

function memory(): TokenStorage {
  const items = new Map<string, string>();
  return { getItem: (k) => items.get(k) ?? null, setItem: (k, v) => void items.set(k, v), removeItem: (k) => void items.delete(k) };
}

// trib serve with TRIBUTARY_TOKEN=right.
const server = async (request: Request) =>
  request.headers.get("Authorization") === "Bearer right" ? Response.json([]) : new Response(null, { status: 401 });

describe("signIn", () => {
  it("signs in with a token the server takes, trimmed", async () => {
    const s = createSession(memory());
    s.refused(null);
    expect(await signIn("  right \n", s, (t) => checkToken(t, server, "http://trib.test"))).toBeNull();
    expect(s.state).toEqual({ token: "right", required: false, reason: null });
  });

  it("says plainly that a wrong token is not the server's, and stays signed out", async () => {
    const s = createSession(memory());
    s.refused(null);
    expect(await signIn("wrong", s, (t) => checkToken(t, server, "http://trib.test")))
      .toBe("The server did not accept this token: it is not the TRIBUTARY_TOKEN the server was started with.");
    expect(s.state).toEqual({ token: null, required: true, reason: null });
  });

  it("asks for a token when none is typed, without calling the server", async () => {
    const s = createSession(memory());
    let asked = false;
    expect(await signIn("  ", s, async () => { asked = true; return true; })).toBe("Enter the token: the value of TRIBUTARY_TOKEN the server was started with.");
    expect(asked).toBe(false);
  });

  it("passes on another refusal with the server's message", async () => {
    const s = createSession(memory());
    const refusing = async () => Response.json({ detail: "this server does not answer to the host name 'x'" }, { status: 400 });
    expect(await signIn("right", s, (t) => checkToken(t, refusing, "http://trib.test")))
      .toBe("The token could not be checked: this server does not answer to the host name 'x'");
  });
});

describe("SignIn", () => {
  it("is a labelled password field and a button, with why the tab was signed out", () => {
    const html = renderToStaticMarkup(<SignIn reason="the server no longer accepts the token this tab signed in with" s={createSession(memory())} />);
    expect(html).toContain('<form class="panel" aria-label="Sign in">');
    expect(html).toContain("<label>Token<input type=\"password\" autoComplete=\"off\" name=\"token\"");
    expect(html).toContain('<button type="submit">Sign in</button>');
    expect(html).toContain("Signed out: the server no longer accepts the token this tab signed in with.");
  });
});
