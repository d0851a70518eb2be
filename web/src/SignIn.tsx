import { useState, useSyncExternalStore, type FormEvent } from "react";
import { checkToken, errorMessage } from "./api/client";
import { session as tabSession, type Session, type SessionState } from "./api/session";

/** The session's state, re-rendering on sign-in, sign-out and a refused token. */
export function useSession(s: Session = tabSession): SessionState {
  return useSyncExternalStore(s.subscribe, () => s.state);
}

/** Signs in with `token` when the server takes it; otherwise the message the form shows. */
export async function signIn(token: string, s: Session = tabSession, check: (token: string) => Promise<boolean> = checkToken): Promise<string | null> {
  const trimmed = token.trim();
  if (trimmed === "") return "Enter the token: the value of TRIBUTARY_TOKEN the server was started with.";
  try {
    if (!(await check(trimmed))) return "The server did not accept this token: it is not the TRIBUTARY_TOKEN the server was started with.";
  } catch (e) {
    return `The token could not be checked: ${errorMessage(e)}`;
  }
  s.signIn(trimmed);
  return null;
}

/** Asks for the bearer token of a server started with TRIBUTARY_TOKEN; the page behind it loads once the server takes it. */
export function SignIn({ reason, s = tabSession }: { reason: string | null; s?: Session }) {
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    void signIn(token, s).then((message) => {
      setError(message);
      setBusy(false);
    });
  };
  return (
    <section className="page sign-in" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">Sign in</h1>
      <p>This server requires a token. Enter the value of <code>TRIBUTARY_TOKEN</code> it was started with; this tab keeps it until it is closed or you sign out.</p>
      {reason && <p className="notice" role="status">Signed out: {reason}.</p>}
      <form className="panel" aria-label="Sign in" onSubmit={submit}>
        <label>
          Token
          <input type="password" name="token" autoComplete="off" value={token} onChange={(e) => setToken(e.target.value)}
            aria-invalid={error ? true : undefined} aria-describedby={error ? "sign-in-error" : undefined} />
        </label>
        {error && <p id="sign-in-error" className="field-error" role="alert">{error}</p>}
        <button type="submit" disabled={busy}>Sign in</button>
      </form>
    </section>
  );
}
