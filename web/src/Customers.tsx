import { useEffect, useState, type FormEvent } from "react";
import { api, ApiError, errorMessage } from "./api/client";
import { headline, memberships, profileParts, sectionOf, shownColumns, shownScores, type CustomerProfile, type CustomerSearchPage, type ProfileSection, type Score } from "./customerProfile";
import { Card, DataTable, EmptyState, ErrorNotice, Loading, Page, Pager, ResultTable } from "./ui/components";
import { formatCount } from "./ui/format";
import { pipelineCurrency } from "./ltv";
import { getSection } from "./pipelineGraph";

const searchLink = (q: string) => `#/customers/${encodeURIComponent(q)}`;
export const profileLink = (id: string) => `#/customer/${encodeURIComponent(id)}`;

// The search box of both pages: a search is a route, so that the back button and a shared link keep it.
function SearchForm({ initial }: { initial: string }) {
  const [text, setText] = useState(initial);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (text.trim()) window.location.hash = searchLink(text.trim());
  };
  return (
    <form className="toolbar" onSubmit={submit} role="search" aria-label="Find a customer">
      <label>Email, phone or id <input type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder="ada@example.com" size={32} /></label>
      <button type="submit" disabled={text.trim() === ""}>Search</button>
    </form>
  );
}

const SearchPageSize = 20;

/** The search's heading: how many profiles match in all, not how many this page shows. */
export const matchesTitle = (page: Pick<CustomerSearchPage, "total">, query: string) =>
  `${formatCount(page.total)} ${page.total === 1 ? "profile matches" : "profiles match"} “${query}”`;

/** One page of matching profiles under the true count, with previous and next when they do not fit one page. */
export function SearchResults({ page, query, onPage }: { page: CustomerSearchPage; query: string; onPage: (offset: number) => void }) {
  return (
    <Card title={matchesTitle(page, query)}>
      <DataTable caption="Matching profiles" rows={page.matches} rowKey={(m) => m.profile_id}
        columns={[
          { key: "id", header: "Profile", cell: (m) => <a href={profileLink(m.profile_id)}>{m.profile_id}</a> },
          { key: "email", header: "Email", cell: (m) => m.email ?? <span className="muted">none</span> },
          { key: "phone", header: "Phone", cell: (m) => m.phone ?? <span className="muted">none</span> },
          { key: "ids", header: "Identifiers", numeric: true, cell: (m) => formatCount(m.identifiers) },
        ]} />
      {page.total > page.limit && <Pager offset={page.offset} size={page.limit} total={page.total} onChange={onPage} label="profiles" />}
    </Card>
  );
}

/** Customer 360 search: profiles of the identity graph by email, phone, profile id or any identifier; one match opens it. */
export function Customers({ query }: { query?: string }) {
  const [page, setPage] = useState<CustomerSearchPage | null>(null);
  const [offset, setOffset] = useState(0);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setError(null);
    if (!query) return;
    api.customers(query, offset, SearchPageSize).then((p) => {
      if (p.total === 1 && p.matches.length === 1) window.location.replace(profileLink(p.matches[0].profile_id));
      else setPage(p);
    }, (e: unknown) => setError(errorMessage(e)));
  }, [query, offset]);
  return (
    <Page title="Customers" subtitle="One person across every source: find a customer by email, phone number, profile id or any identifier the identity graph joined."
      actions={<SearchForm key={query} initial={query ?? ""} />}>
      {error && <ErrorNotice>{error}</ErrorNotice>}
      {!query ? (
        <EmptyState title="Search for a customer">Type an email (any case), a phone number (any format) or an id; when nothing matches whole, part of one (three characters or more: noah.lopez) finds the profiles whose identifiers contain it. Profiles come from the identity graph (identity_graph), which full_cdp and the customer_ltv, churn, propensity and recommendation templates write.</EmptyState>
      ) : page === null && !error ? <Loading what={`Searching for ${query}`} /> : page && page.total === 0 ? (
        <EmptyState title={`No customer matches “${query}”`}>
          Check the spelling, or search by another identifier. If no pipeline with an identity step has run yet, there are no profiles: run full_cdp (trib run full_cdp) first.
        </EmptyState>
      ) : page && <SearchResults page={page} query={query} onPage={setOffset} />}
    </Page>
  );
}

/** The Customer 360 profile: who, every score with its reason, segments and audiences, then the person's rows table by table. */
export function CustomerDetail({ id }: { id: string }) {
  const [profile, setProfile] = useState<CustomerProfile | null>(null);
  const [error, setError] = useState<{ status: number; message: string } | null>(null);
  const [ltvMetadata, setLtvMetadata] = useState<Record<string, unknown> | undefined>(undefined);
  const [currency, setCurrency] = useState<string | null>(null);
  useEffect(() => {
    api.customer(id).then((p) => {
      setProfile(p);
      // The LTV's horizon (and currency, where a run records one) is in its latest materialization's metadata.
      const ltv = sectionOf(p, "ltv")?.table;
      if (ltv) api.history(ltv).then((h) => setLtvMetadata(h[h.length - 1]?.metadata as Record<string, unknown> | undefined), () => undefined);
      // The currency the LTV's pipeline converts amounts into, as its dashboard names it.
      if (ltv) api.lineage(ltv).then((l) => (l[0] ? api.yaml(l[0].pipeline) : null))
        .then((y) => setCurrency(y ? pipelineCurrency(getSection(y.yaml, "params"))?.currency ?? null : null), () => undefined);
    }, (e: unknown) => setError({ status: e instanceof ApiError ? e.status : 0, message: errorMessage(e) }));
  }, [id]);
  if (error) {
    return (
      <Page title="Customer not found" actions={<SearchForm initial="" />}>
        {error.status === 404
          ? <EmptyState title={`No profile “${id}”`}>{error.message}.</EmptyState>
          : <ErrorNotice>{error.message}</ErrorNotice>}
      </Page>
    );
  }
  if (!profile) return <Loading what={`Loading customer ${id}`} />;
  const who = headline(profile);
  const ids = sectionOf(profile, "identifiers");
  const audiences = memberships(profile);
  const { shown, missing } = profileParts(profile);
  const part = (key: string) => shown.find((s) => s.key === key);
  const tiles = shownScores(profile, { ltvMetadata, currency });
  const scoreRows = ["profile", "value", "ltv", "churn", "propensity", "uplift"].filter((k) => part(k));
  return (
    <Page title={who.title} actions={<SearchForm initial="" />}
      subtitle={<>Profile <code>{profile.profile_id}</code>{who.email && <> · {who.email}</>}{who.phone && <> · {who.phone}</>}{ids?.table && <> · {formatCount(ids.rows.length)} identifiers</>}</>}>
      <Card title="Scores and why" label="Scores and why">
        {tiles.length === 0 ? <p className="muted">No score table in this warehouse yet (see the parts not shown, below).</p> : (
          <ul className="score-grid">{tiles.map((s) => <ScoreTile key={s.key} score={s} />)}</ul>
        )}
      </Card>
      <Card title="Segments and audiences" label="Segments and audiences">
        {audiences.length === 0 ? <p className="muted">In no segment or audience.</p> : (
          <ul className="memberships">
            {audiences.map((m, i) => <li key={i}><span className="badge member">{m.label}</span>{m.detail && <span className="muted"> {m.detail}</span>} <span className="muted">({m.table})</span></li>)}
          </ul>
        )}
      </Card>
      {(part("identifiers") || part("merges")) && (
        <div className="two-up">
          <SectionCard section={part("identifiers")} />
          <SectionCard section={part("merges")} empty="Never merged: every identifier joined this profile directly." />
        </div>
      )}
      <SectionCard section={part("contact")} empty="No CRM contact with this customer's email or HubSpot id." />
      <SectionCard section={part("orders")} empty="No orders." />
      <SectionCard section={part("events")} empty="No events from this customer's ids." />
      <SectionCard section={part("sessions")} empty="No sessions." />
      <SectionCard section={part("tickets")} empty="No support tickets." />
      <SectionCard section={part("recommendations")} empty="No recommendations." />
      <SectionCard section={part("fraud")} empty="No scored payments." />
      <SectionCard section={part("experiments")} empty="No experiment exposures." />
      {scoreRows.length > 0 && (
        <details className="card">
          <summary>Every score table's row</summary>
          {scoreRows.map((k) => <SectionCard key={k} section={part(k)} />)}
        </details>
      )}
      {missing.length > 0 && (
        <p className="notice info" role="note" aria-label="Parts not shown">
          Not shown: {formatCount(missing.length)} of {formatCount(profile.sections.length)} parts have no table in this warehouse yet ({missing.map((s) => s.title).join(", ")}). Run full_cdp, or the template that writes a part, then reload.
        </p>
      )}
    </Page>
  );
}

function ScoreTile({ score }: { score: Score }) {
  return (
    <li className={`score${score.value === null ? " none" : ""}${score.tone ? ` ${score.tone}` : ""}`} aria-label={score.label}>
      <span className="score-label">{score.label}</span>
      <span className="score-value">{score.value ?? "—"}</span>
      {score.reason && <span className="score-reason" title={score.hint}>{score.reason}</span>}
      {score.table && <span className="score-table">{score.table}</span>}
    </li>
  );
}

// One section read from a table: its rows for the person (the columns that answer its question first), or a line saying there are none.
function SectionCard({ section, empty }: { section: ProfileSection | undefined; empty?: string }) {
  const [all, setAll] = useState(false);
  if (!section?.table) return null;
  const columns = shownColumns(section, all);
  const hidden = section.columns.length - columns.length;
  const more = section.rows.length >= section.limit ? ` (the newest ${formatCount(section.limit)})` : "";
  return (
    <Card label={section.title}
      title={<>{section.title} <span className="muted">{formatCount(section.rows.length)} {section.rows.length === 1 ? "row" : "rows"}{more} · {section.table}</span></>}
      actions={section.rows.length > 0 && (hidden > 0 || all) ? <button className="secondary" onClick={() => setAll(!all)}>{all ? "Fewer columns" : `All ${formatCount(section.columns.length)} columns`}</button> : undefined}>
      {section.rows.length === 0 ? <p className="muted">{empty ?? "No rows for this customer."}</p> : (
        <ResultTable caption={section.title} maxHeight={360} columns={columns.map((i) => section.columns[i])} rows={section.rows.map((r) => columns.map((i) => r[i]))} />
      )}
    </Card>
  );
}
