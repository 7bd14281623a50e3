/**
 * The one normalisation of tenant IDs, used by every store: trim Unicode whitespace, NFKC, lower-case.
 * Two IDs that normalise to the same string are the same tenant to billing, so they count as duplicates.
 */
export function normalizeTenantId(id: string): string {
  return id.trim().normalize('NFKC').toLowerCase();
}

/** The naming convention for quota fields (columns or attributes): names containing quota or rate_limit. */
export function isQuotaName(name: string): boolean {
  return /quota|rate_?limit/i.test(name);
}
