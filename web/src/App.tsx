import { useEffect, useState } from "react";
import { Catalog } from "./Catalog";
import { Designer } from "./Designer";
import { RunView } from "./RunView";
import { Dashboard } from "./Dashboard";

// Hash routes: #/catalog, #/designer/NAME, #/runs/QUEUE_ID?pipeline=NAME, #/dashboard/NAME.
function useRoute(): string[] {
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    const update = () => setHash(window.location.hash);
    window.addEventListener("hashchange", update);
    return () => window.removeEventListener("hashchange", update);
  }, []);
  return (hash.replace(/^#\/?/, "") || "catalog").split("/");
}

export function App() {
  const [page, arg] = useRoute();
  return (
    <>
      <header>
        <strong>Tributary</strong>
        <nav aria-label="Main">
          <a href="#/catalog" aria-current={page === "catalog" ? "page" : undefined}>Catalog</a>
        </nav>
      </header>
      <main>
        {page === "designer" && arg ? <Designer key={arg} name={arg} /> :
         page === "runs" && arg ? <RunView key={arg} queueId={arg} /> :
         page === "dashboard" && arg ? <Dashboard key={arg} pipeline={arg} /> :
         <Catalog />}
      </main>
    </>
  );
}
