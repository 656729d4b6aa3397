import { ADMIN_CSS } from "./admin-styles.ts";
import { RANGES, type AdminFilters } from "./admin-filters.ts";
import { escapeHtml } from "./html-kit.ts";

/** Seconds between live refreshes of a page's `#live` region. */
export const LIVE_REFRESH_SECONDS = 10;

export interface TenantOption {
  id: string;
  name: string;
}

/** The filter bar: tenant, range and a job search by id; plain GET forms, so they work without script. */
function filterBar(filters: AdminFilters | undefined, tenants: readonly TenantOption[]): string {
  const search = `<form class="filters" method="get" action="/admin/search" role="search">
<label>Job id<input name="id" required pattern="[A-Za-z0-9_]+" placeholder="ftjob_…" size="30"></label>
<button type="submit">Open job</button></form>`;
  if (!filters) return search;
  const tenantOptions = [`<option value="">all tenants</option>`]
    .concat(
      tenants.map(
        (t) =>
          `<option value="${escapeHtml(t.id)}"${t.id === filters.tenant ? " selected" : ""}>${escapeHtml(t.name)}</option>`,
      ),
    )
    .join("");
  const rangeOptions = Object.keys(RANGES)
    .map((r) => `<option value="${r}"${r === filters.range ? " selected" : ""}>last ${r}</option>`)
    .join("");
  return `<form class="filters" method="get" action="/admin">
<label>Tenant<select name="tenant">${tenantOptions}</select></label>
<label>Range<select name="range">${rangeOptions}</select></label>
<button type="submit">Apply</button></form>
${search}`;
}

/**
 * A whole admin document. `live` is the region the refresh script replaces with `partialUrl` every
 * LIVE_REFRESH_SECONDS; the header with the forms stays put, so keyboard focus is never lost.
 */
export function adminDocument(opts: {
  title: string;
  live: string;
  partialUrl: string;
  filters?: AdminFilters;
  tenants?: readonly TenantOption[];
}): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(opts.title)} · guardtune admin</title>
<style>${ADMIN_CSS}</style>
<script src="/admin/assets/live-refresh.js" defer></script>
</head>
<body>
<a class="skip" href="#live">Skip to content</a>
<header class="top">
<h1><a href="/admin">guardtune admin</a></h1>
${filterBar(opts.filters, opts.tenants ?? [])}
<p class="status-line" role="status" aria-live="polite" id="live-status">Refreshes every ${LIVE_REFRESH_SECONDS} s.</p>
</header>
<main id="live" data-partial="${escapeHtml(opts.partialUrl)}" data-interval="${LIVE_REFRESH_SECONDS}" tabindex="-1">
${opts.live}
</main>
</body>
</html>
`;
}
