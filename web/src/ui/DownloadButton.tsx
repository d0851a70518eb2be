import { useState, type ReactNode } from "react";
import { download, errorMessage } from "../api/client";

/** A button that saves an API address's answer as a file: fetched with the session's token, which a plain link would not send. */
export function DownloadButton({ url, fileName, children }: { url: string; fileName: string; children: ReactNode }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const save = () => {
    setBusy(true);
    setError("");
    download(url, fileName).catch((e: unknown) => setError(`${fileName}: ${errorMessage(e)}`)).finally(() => setBusy(false));
  };
  return (
    <>
      <button type="button" className="button secondary" onClick={save} disabled={busy}>{children}</button>
      {error && <span role="alert" className="field-error">{error}</span>}
    </>
  );
}
