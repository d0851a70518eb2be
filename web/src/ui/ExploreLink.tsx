import { exploreLink } from "../explore";

/**
 * "Open in Explore" for a table of the pipelines' schema (an asset): the Explore page with it selected and its first rows run.
 * The table's name is in the link's accessible name, so that a list of them reads apart.
 */
export function ExploreLink({ table, className }: { table: string; className?: string }) {
  return <a className={className} href={exploreLink(table)}>Open in Explore<span className="sr-only"> ({table})</span></a>;
}
