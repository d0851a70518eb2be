import { describe, expect, it } from "vitest";
import { alertListWithContacts, contactsById, isContactTable, personLabel } from "./churn";

describe("churn alert contacts", () => {
  it("recognises the template's churn_contacts table, not the alerts themselves", () => {
    expect(isContactTable(["customer_id", "alerted_on", "churn_probability", "value_at_risk", "reason", "action", "email"])).toBe(true);
    expect(isContactTable(["customer_id", "alerted_on", "churn_probability", "reason", "action"])).toBe(false);
    expect(isContactTable(["profile_id", "email"])).toBe(false);
  });

  it("names an alerted customer by email (and name when known), the profile id only when no contact is known", () => {
    const contacts = contactsById([
      { customer_id: "p_000000965", email: "ada@example.com" },
      { customer_id: "p_000000007", email: null, first_name: "Grace", last_name: "Hopper" },
      { customer_id: "p_000000008", email: "alan@example.com", name: "Alan Turing" },
      { customer_id: "p_000000965", email: "other@example.com" },
    ]);
    expect(personLabel("p_000000965", contacts.get("p_000000965"))).toBe("ada@example.com");
    expect(personLabel("p_000000007", contacts.get("p_000000007"))).toBe("Grace Hopper");
    expect(personLabel("p_000000008", contacts.get("p_000000008"))).toBe("Alan Turing <alan@example.com>");
    expect(personLabel("p_000000001", contacts.get("p_000000001"))).toBe("p_000000001");
  });

  it("names a customer known only by phone (a guest checkout) by the phone, not the profile id", () => {
    expect(isContactTable(["customer_id", "phone"])).toBe(true);
    const contacts = contactsById([
      { customer_id: "p_000000443", email: null, phone: "+342323566046" },
      { customer_id: "p_000000168", email: "felix@example.com", phone: "+15550100" },
    ]);
    expect(personLabel("p_000000443", contacts.get("p_000000443"))).toBe("+342323566046");
    expect(personLabel("p_000000168", contacts.get("p_000000168"))).toBe("felix@example.com");
  });

  it("puts the contact fields the list shows beside each alert for the download", () => {
    const contacts = contactsById([{ customer_id: "p1", email: "a@x.example", first_name: "Ann", last_name: "Lee" }]);
    const list = alertListWithContacts([{ name: "customer_id", type: "text" }, { name: "alerted_on", type: "date" }], [["p1", "2026-01-01"], ["p2", "2026-01-01"]], contacts);
    expect(list.columns.map((c) => c.name)).toEqual(["customer_id", "name", "email", "phone", "alerted_on"]);
    expect(list.rows).toEqual([["p1", "Ann Lee", "a@x.example", null, "2026-01-01"], ["p2", null, null, null, "2026-01-01"]]);
  });
});
