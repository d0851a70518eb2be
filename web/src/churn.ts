/** Data shaping for the churn cards: who an alerted customer is, from a table beside the alerts that holds their contact. */

/** The person behind a customer id, as far as a contact table knows them. */
export interface Contact {
  email: string | null;
  name: string | null;
  phone: string | null;
}

/** Columns that name a person, most telling first: the alert list shows the first one a contact table has. */
const emailColumns = ["email", "email_address"];
const nameColumns = ["name", "full_name", "customer_name"];
const phoneColumns = ["phone", "phone_number"];

/** Whether a table's columns can tell who a customer is: a customer_id and an email, name or phone column. */
export function isContactTable(columns: readonly string[]): boolean {
  return columns.includes("customer_id") && [...emailColumns, ...nameColumns, "first_name", ...phoneColumns].some((c) => columns.includes(c));
}

const text = (v: unknown) => (v === null || v === undefined || String(v).trim() === "" ? null : String(v));

/** Contacts by customer id from a contact table's rows (e.g. churn_contacts); the first row with a value wins for each field. */
export function contactsById(rows: readonly Record<string, unknown>[]): Map<string, Contact> {
  const byId = new Map<string, Contact>();
  for (const r of rows) {
    const id = text(r.customer_id);
    if (id === null) continue;
    const email = emailColumns.map((c) => text(r[c])).find((v) => v !== null) ?? null;
    const full = nameColumns.map((c) => text(r[c])).find((v) => v !== null)
      ?? ([text(r.first_name), text(r.last_name)].filter((v) => v !== null).join(" ") || null);
    const phone = phoneColumns.map((c) => text(r[c])).find((v) => v !== null) ?? null;
    const seen = byId.get(id);
    byId.set(id, { email: seen?.email ?? email, name: seen?.name ?? full, phone: seen?.phone ?? phone });
  }
  return byId;
}

/** How the alert list names a customer: name and email when both are known, either one, else the phone (a guest checkout), else the profile id. */
export function personLabel(id: string, contact: Contact | undefined): string {
  if (contact?.name && contact.email) return `${contact.name} <${contact.email}>`;
  return contact?.email ?? contact?.name ?? contact?.phone ?? id;
}

/**
 * The alert list as a CSV file's columns and rows: customer_id, then the contact fields the list shows (name, email,
 * phone), then the alert table's other columns, in its order.
 */
export function alertListWithContacts(columns: readonly { name: string; type: string }[], rows: readonly (readonly unknown[])[], contacts: ReadonlyMap<string, Contact>) {
  const id = columns.findIndex((c) => c.name === "customer_id");
  const rest = columns.map((c, i) => ({ c, i })).filter(({ i }) => i !== id);
  return {
    columns: [{ name: "customer_id", type: "text" }, { name: "name", type: "text" }, { name: "email", type: "text" }, { name: "phone", type: "text" }, ...rest.map(({ c }) => c)],
    rows: rows.map((r) => {
      const contact = contacts.get(String(r[id]));
      return [r[id], contact?.name ?? null, contact?.email ?? null, contact?.phone ?? null, ...rest.map(({ i }) => r[i])];
    }),
  };
}
