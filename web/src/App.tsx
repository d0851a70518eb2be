import { useEffect, useState } from "react";
import { Catalog } from "./Catalog";
import { Designer } from "./Designer";
import { RunView } from "./RunView";
import { Dashboard } from "./Dashboard";
import { Runs } from "./Runs";
import { RunDetail } from "./RunDetail";
import { Schedules } from "./Schedules";
import { AssetDetail, Assets } from "./Assets";
import { CustomerDetail, Customers } from "./Customers";
import { ActivationDetail, Activations } from "./Activations";
import { Explore } from "./Explore";
import { linkedTable } from "./explore";
import { Audiences } from "./Audiences";
import { SignIn, useSession } from "./SignIn";
import { session } from "./api/session";

// Hash routes: #/catalog, #/designer/NAME, #/runs/QUEUE_ID (follow a submitted run), #/run/RUN_ID, #/runlist, #/assets, #/asset/NAME, #/explore[/[SCHEMA/]TABLE] (tables and read-only SQL, a table selected), #/schedules, #/dashboard/NAME,
// #/customers[/QUERY] (Customer 360 search), #/customer/PROFILE_ID, #/audiences, #/activations, #/activation/PIPELINE/STEP.
function useRoute(): string[] {
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    const update = () => setHash(window.location.hash);
    window.addEventListener("hashchange", update);
    return () => window.removeEventListener("hashchange", update);
  }, []);
  // Segments are encoded where links are made (names may hold any character).
  return (hash.replace(/^#\/?/, "") || "catalog").split("/").map((s) => { try { return decodeURIComponent(s); } catch { return s; } });
}

export function App() {
  const [page, arg, arg2] = useRoute();
  const { token, required, reason } = useSession();
  return (
    <>
      <header className="app-header">
        <a className="brand" href="#/catalog">
          <svg width="20" height="20" viewBox="0 0 24 24" aria-hidden="true"><path fill="none" stroke="currentColor" strokeWidth="2.5" strokeLinecap="round" d="M3 6c4 0 5 6 9 6s5-6 9-6M3 18c4 0 5-6 9-6" /></svg>
          Tributary
        </a>
        <nav aria-label="Main">
          {[["catalog", "Catalog", ["catalog", "designer", "dashboard"]], ["runlist", "Runs", ["runlist", "run", "runs"]], ["assets", "Assets", ["assets", "asset"]], ["explore", "Explore", ["explore"]], ["customers", "Customers", ["customers", "customer"]], ["audiences", "Audiences", ["audiences"]], ["activations", "Activations", ["activations", "activation"]], ["schedules", "Schedules & sensors", ["schedules"]]].map(([route, label, pages]) => (
            <a key={route as string} href={`#/${route as string}`} aria-current={(pages as string[]).includes(page) ? "page" : undefined}>{label}</a>
          ))}
        </nav>
        {token !== null && <button type="button" className="secondary sign-out" onClick={() => session.signOut()}>Sign out</button>}
      </header>
      {/* Signed in: the page is made anew (key), so it loads what the refused calls did not. */}
      <main key={token ?? ""}>
        {required ? <SignIn reason={reason} /> :
         page === "designer" && arg ? <Designer key={arg} name={arg} /> :
         page === "runs" && arg ? <RunView key={arg} queueId={arg} /> :
         page === "dashboard" && arg ? <Dashboard key={arg} pipeline={arg} /> :
         page === "run" && arg ? <RunDetail key={arg} runId={arg} /> :
         // #/runs without a queue id (a URL typed by hand) is the run list, as the highlighted tab says.
         page === "runlist" || page === "runs" ? <Runs /> :
         page === "assets" ? <Assets /> :
         page === "asset" && arg ? <AssetDetail key={arg} name={arg} /> :
         page === "schedules" ? <Schedules /> :
         page === "explore" ? <Explore link={linkedTable(arg, arg2)} /> :
         page === "customers" ? <Customers key={arg ?? ""} query={arg} /> :
         page === "customer" && arg ? <CustomerDetail key={arg} id={arg} /> :
         page === "audiences" ? <Audiences /> :
         page === "activations" ? <Activations /> :
         page === "activation" && arg && arg2 ? <ActivationDetail key={`${arg}/${arg2}`} pipeline={arg} step={arg2} /> :
         <Catalog />}
      </main>
    </>
  );
}
