import { useEffect, useState } from "react";
import { api } from "./api/client";
import { alertListWithContacts, contactsById, isContactTable, type Contact } from "./churn";
import { csvObjectUrl, toCsv } from "./csv";

/**
 * Who the listed customers are: the first table that reads the list and holds a customer_id with an email, name or phone
 * (the templates' churn_contacts and campaign_contacts join the identity graph's email and phone). Empty while loading,
 * or when no such table exists.
 */
export function useContactsDownstream(listTable: string | null, limit: number): Map<string, Contact> {
  const [contacts, setContacts] = useState<Map<string, Contact>>(new Map());
  useEffect(() => {
    let live = true;
    if (!listTable) return;
    (async () => {
      const downstream = (await api.lineage(listTable)).flatMap((l) => l.downstream);
      for (const name of downstream) {
        const head = await api.asset(name, 1);
        if (!isContactTable(head.columns.map((c) => c.name))) continue;
        const table = await api.asset(name, limit);
        const rows = table.rows.map((r) => Object.fromEntries(table.columns.map((c, k) => [c.name, r[k]])));
        if (live) setContacts(contactsById(rows));
        return;
      }
    })().catch(() => { /* The list still links every profile id to Customer 360. */ });
    return () => { live = false; };
  }, [listTable, limit]);
  return contacts;
}

/** A download of a list of customers (alerts, an audience) with the contact fields beside each, dates in ISO 8601. */
export function ContactListDownload({ name, table, contacts, label }: {
  name: string; table: { columns: { name: string; type: string }[]; rows: unknown[][] }; contacts: Map<string, Contact>; label: string;
}) {
  const [href, setHref] = useState<string | null>(null);
  useEffect(() => {
    const list = alertListWithContacts(table.columns, table.rows, contacts);
    const url = csvObjectUrl(toCsv(list.columns, list.rows));
    setHref(url);
    return () => URL.revokeObjectURL(url);
  }, [table, contacts]);
  return href ? <a className="button secondary" href={href} download={name}>{label}</a> : null;
}
