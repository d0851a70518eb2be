import { describe, expect, it } from "vitest";
import { formatCurrency } from "./ui/format";
import { headline, memberships, profileParts, records, scores, shownColumns, shownScores, type CustomerProfile, type ProfileSection } from "./customerProfile";

type Kind = ProfileSection["columns"][number]["type"];

// A section read from a table, or (table null) one the warehouse has no table for.
function section(key: string, table: string | null, columns: [string, Kind][] = [], rows: unknown[][] = []): ProfileSection {
  return { key, title: key, table, columns: columns.map(([name, type]) => ({ name, type })), rows, limit: 100 } as ProfileSection;
}

const profile = (...sections: ProfileSection[]): CustomerProfile => ({ profile_id: "p1", sections });

describe("Customer 360 profile", () => {
  it("reads a section's rows as records by column name", () => {
    const s = section("churn", "churn_scores", [["customer_id", "text"], ["churn_probability", "number"]], [["p1", 0.8]]);
    expect(records(s)).toEqual([{ customer_id: "p1", churn_probability: 0.8 }]);
    expect(records(undefined)).toEqual([]);
  });

  it("gives every score its value and reason: churn with its three reasons, a high risk flagged, uplift in points", () => {
    const p = profile(
      section("churn", "churn_scores", [["churn_probability", "number"], ["risk_band", "text"], ["reason", "text"], ["reason_2", "text"], ["reason_3", "text"]],
        [[0.72, "high", "No order for 140 days", "Orders declining", null]]),
      section("uplift", "uplift_scores", [["uplift", "number"], ["uplift_group", "text"], ["p_if_contacted", "number"], ["p_if_not_contacted", "number"]],
        [[0.05, "persuadable", 0.3, 0.25]]),
      section("fraud", "risk_scores", [["risk_score", "number"], ["decision", "text"], ["reasons", "text"]],
        [[12, "approve", "none"], [81, "block", "card used by 4 emails"]]),
    );
    const byKey = Object.fromEntries(scores(p).map((s) => [s.key, s]));
    expect(byKey.churn.value).toBe("72% (high band)");
    expect(byKey.churn.reason).toBe("No order for 140 days · Orders declining");
    expect(byKey.churn.tone).toBe("high");
    expect(byKey.uplift.value).toBe("persuadable");
    expect(byKey.uplift.tone).toBe("good");
    expect(byKey.uplift.reason).toBe("uplift +5 points · 30% if contacted, 25% if not");
    expect(byKey.fraud.value).toBe("1 of 2 payments");
    expect(byKey.fraud.reason).toBe("highest risk 81/100 (block) · card used by 4 emails");
  });

  it("takes the uplift card's numbers from the one model behind the uplift and its group, never the T-learner's chances beside the X-learner's uplift", () => {
    const cols: [string, Kind][] = [["uplift", "number"], ["uplift_group", "text"], ["p_if_contacted", "number"], ["p_if_not_contacted", "number"], ["uplift_x", "number"], ["uplift_t", "number"], ["in_send", "boolean"]];
    const tile = (row: unknown[], band?: string) => {
      const p = profile(section("uplift", "uplift_scores", cols, [row]), ...(band ? [section("segments_uplift", "uplift_segments", [["segment", "text"]], [[band]])] : []));
      return { reason: scores(p).find((s) => s.key === "uplift")!.reason, chips: memberships(p) };
    };
    // Noah: X-learner +0.0438 fills the uplift; the T-learner's two chances (0.34% and 0.47%) differ by −0.0013.
    const x = tile([0.0438, "unproven", 0.0034, 0.0047, 0.0438, -0.0013, true], "persuade");
    expect(x.reason).toBe("uplift +4.38 points (X-learner)");
    expect(x.chips).toEqual([{ label: "Uplift: unproven", detail: "score band persuade", table: "uplift_segments" }]);
    expect(tile([-0.0013, "unproven", 0.0034, 0.0047, 0.0438, -0.0013, true]).reason).toBe("uplift −0.13 points (T-learner) · 0.34% if contacted, 0.47% if not");
    expect(tile([0.02, "unproven", 0.0034, 0.0047, 0.0438, -0.0013, false]).reason).toBe("uplift +2 points · the send's average: not in the send, so no estimate of their own");
  });

  it("gives the lifetime value its horizon and currency where recorded, the propensity decile its direction, and repeat purchases their meaning", () => {
    const p = profile(
      section("ltv", "customer_ltv", [["clv", "number"], ["frequency", "integer"]], [[420.82, 6]]),
      section("propensity", "propensity_scores", [["purchase_probability", "number"]], [[0.032]]),
      section("segments_propensity", "propensity_deciles", [["decile", "integer"]], [[10]]),
    );
    const byKey = Object.fromEntries(scores(p, { ltvMetadata: { with: { horizon_days: "365" } } }).map((s) => [s.key, s]));
    expect(byKey.ltv.value).toBe("420.82");
    expect(byKey.ltv.reason).toBe("predicted over the next 365 days · in the currency of the order amounts · 6 repeat purchase days (days with an order after the first)");
    expect(byKey.propensity.reason).toBe("decile 10 of 10, the lowest scores");
    const usd = scores(p, { ltvMetadata: { with: { horizon_days: 180, currency: "USD" } } }).find((s) => s.key === "ltv")!;
    expect(usd.value).toBe(formatCurrency(420.82, "USD"));
    expect(usd.value).toContain("$");
    expect(usd.reason).toMatch(/^predicted over the next 180 days · 6 repeat/);
    // A table and run that name no currency take the currency of the pipeline that wrote them.
    const fromPipeline = scores(p, { ltvMetadata: { with: { horizon_days: 365 } }, currency: "EUR" }).find((s) => s.key === "ltv")!;
    expect(fromPipeline.value).toBe(formatCurrency(420.82, "EUR"));
    expect(fromPipeline.reason).not.toContain("in the currency of the order amounts");
  });

  it("labels the lifetime value's interval: the 90% prediction interval, or an old table's parameter-only uncertainty as such", () => {
    const ltv = (columns: [string, Kind][], row: unknown[]) => scores(profile(section("ltv", "customer_ltv", columns, [row])),
      { ltvMetadata: { with: { horizon_days: 365 } } }).find((s) => s.key === "ltv")!;
    const reason = (columns: [string, Kind][], row: unknown[]) => ltv(columns, row).reason;
    expect(ltv([["clv", "number"], ["clv_p05", "number"], ["clv_p95", "number"]], [3190.03, 0, 9120.5]).hint).toMatch(/^90% prediction interval: the customer's own spend over the horizon/);
    expect(ltv([["clv", "number"], ["clv_low", "number"], ["clv_high", "number"]], [3190.03, 2913.71, 3561.91]).hint).toBeUndefined();
    expect(reason([["clv", "number"], ["clv_p05", "number"], ["clv_p95", "number"], ["clv_low", "number"], ["clv_high", "number"]], [3190.03, 0, 9120.5, 2913.71, 3561.91]))
      .toBe("predicted over the next 365 days · in the currency of the order amounts · 90% prediction interval 0.00–9,120.50");
    expect(reason([["clv", "number"], ["clv_low", "number"], ["clv_high", "number"]], [3190.03, 2913.71, 3561.91]))
      .toBe("predicted over the next 365 days · in the currency of the order amounts · uncertainty of the expected value (parameters only) 2,913.71–3,561.91");
  });

  it("tones the uplift by its group: a positive estimate the holdout cannot confirm is unproven, not good news", () => {
    const tone = (u: number, group: string) => Object.fromEntries(scores(profile(
      section("uplift", "uplift_scores", [["uplift", "number"], ["uplift_group", "text"]], [[u, group]]))).map((s) => [s.key, s])).uplift;
    expect(tone(0.12, "unproven").value).toBe("unproven");
    expect(tone(0.12, "unproven").tone).toBeUndefined();
    expect(tone(-0.12, "do_not_disturb").tone).toBe("high");
  });

  it("says why a score has no value: no table (a pipeline not run) apart from no row for this person", () => {
    const p = profile(section("churn", null), section("ltv", "customer_ltv", [["clv", "number"]], []));
    const byKey = Object.fromEntries(scores(p).map((s) => [s.key, s]));
    expect(byKey.churn.value).toBeNull();
    expect(byKey.churn.table).toBeNull();
    expect(byKey.churn.reason).toMatch(/run full_cdp/);
    expect(byKey.ltv.value).toBeNull();
    expect(byKey.ltv.table).toBe("customer_ltv");
    expect(byKey.ltv.reason).toMatch(/^Not valued/);
    // Every score is listed, in the page's order, whether or not it has a value.
    expect(scores(p).map((s) => s.key)).toEqual(["tier", "ltv", "churn", "propensity", "uplift", "recommendations", "fraud", "experiments"]);
  });

  it("splits the parts into shown (a table, rows or none) and missing (no table), each in the server's order", () => {
    expect(profileParts(profile())).toEqual({ shown: [], missing: [] });
    const orders = section("orders", "customer_orders", [["order_id", "text"]], [["o1"]]);
    const tickets = section("tickets", "tickets", [["ticket_id", "text"]], []);
    const churn = section("churn", null), fraud = section("fraud", null);
    const parts = profileParts(profile(churn, orders, fraud, tickets));
    expect(parts.shown.map((s) => s.key)).toEqual(["orders", "tickets"]);
    expect(parts.missing.map((s) => s.key)).toEqual(["churn", "fraud"]);
    expect(profileParts(profile(section("churn", null))).shown).toEqual([]);
  });

  it("shows the scores whose table exists, with or without a value, and leaves out those with no table", () => {
    const p = profile(section("ltv", "customer_ltv", [["clv", "number"]], []), section("churn", null),
      section("fraud", "risk_scores", [["risk_score", "number"], ["decision", "text"]], [[5, "approve"]]));
    // Sections the server did not send count as having no table.
    expect(shownScores(p).map((s) => s.key)).toEqual(["ltv", "fraud"]);
    expect(shownScores(p)[0].reason).toMatch(/^Not valued/);
    expect(shownScores(profile())).toEqual([]);
  });

  it("lists the segments and audiences the customer is in, with their tables", () => {
    const p = profile(
      section("segments_rfm", "rfm_segments", [["segment", "text"], ["rfm_score", "text"], ["action", "text"]], [["Champions", "555", "Reward"]]),
      section("segments_propensity", "propensity_deciles", [["decile", "integer"], ["segment", "text"]], [[2, "decile_2"]]),
      section("audience_winback", "churn_contacts", [["alerted_on", "date"], ["action", "text"]], []),
      section("audience_campaign", null),
    );
    expect(memberships(p)).toEqual([
      { label: "RFM: Champions", detail: "score 555 · Reward", table: "rfm_segments" },
      // A segment name that only repeats the decile is not said twice.
      { label: "Propensity decile 2", detail: null, table: "propensity_deciles" },
    ]);
  });

  it("names the customer by Customer 360's name, else the CRM contact's, else an email from the identifiers, else the profile id", () => {
    const ids = section("identifiers", "identity_graph", [["identifier_type", "text"], ["identifier_value", "text"]], [["phone", "+15550100"], ["email", "ada@example.com"]]);
    expect(headline(profile(ids))).toEqual({ title: "ada@example.com", email: "ada@example.com", phone: "+15550100" });
    const c360 = section("profile", "customer_360", [["first_name", "text"], ["last_name", "text"], ["email", "text"]], [["Ada", "Lovelace", "ada@example.com"]]);
    expect(headline(profile(c360, ids)).title).toBe("Ada Lovelace");
    const contact = section("contact", "customers", [["first_name", "text"], ["last_name", "text"]], [["Ada", "King"]]);
    expect(headline(profile(contact, ids)).title).toBe("Ada King");
    expect(headline(profile(c360, contact, ids)).title).toBe("Ada Lovelace");
    expect(headline(profile()).title).toBe("p1");
  });

  it("names recommended products from the catalog, with the SKU beside the name, and falls back to the SKU", () => {
    const recs = section("recommendations", "recommendations",
      [["customer_id", "text"], ["rank", "integer"], ["sku", "text"], ["score", "number"], ["source", "text"], ["because_sku", "text"], ["product_name", "text"], ["because_product_name", "text"]],
      [["p1", 1, "SKU-TEA-001", 0.9, "item_similarity", "SKU-TEA-025", "Earl Grey", "Sencha"], ["p1", 2, "NEW-9", 0.2, "popular", null, null, null]]);
    const tile = scores(profile(recs)).find((s) => s.key === "recommendations")!;
    expect(tile.reason).toBe("top: Earl Grey (SKU-TEA-001) · from item_similarity, popular");
    expect(shownColumns(recs, false).map((i) => recs.columns[i].name)).toEqual(["rank", "product_name", "sku", "source", "because_product_name", "because_sku", "score"]);
    const unnamed = section("recommendations", "recommendations", [["rank", "integer"], ["sku", "text"], ["source", "text"]], [[1, "NEW-9", "als"]]);
    expect(scores(profile(unnamed)).find((s) => s.key === "recommendations")!.reason).toBe("top: NEW-9 · from als");
  });

  it("shows a section's answering columns first, all on request, and all when the table has none of them", () => {
    const s = section("orders", "customer_orders", [["customer_id", "text"], ["order_id", "text"], ["ordered_at", "timestamp"], ["tax", "number"]]);
    expect(shownColumns(s, false)).toEqual([2, 1]);
    expect(shownColumns(s, true)).toEqual([0, 1, 2, 3]);
    expect(shownColumns(section("orders", "t", [["x", "text"]]), false)).toEqual([0]);
  });
});
