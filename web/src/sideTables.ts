/**
 * The table holding one of an asset's side outputs (its fitted model, holdout fit, summary…). Every page reads side
 * tables through this one function, so that the naming convention (`<asset>__<role>`) can give way to the roles the
 * API declares for each table without touching the pages.
 */
export function sideTable(asset: string, role: string): string {
  return `${asset}__${role}`;
}
