import type { AdminFilters } from "./admin-filters.ts";
import type { AdminOverview } from "./admin-overview.ts";
import { escapeHtml, formatCount, formatSeconds, formatTime } from "./html-kit.ts";
import type { ChartData } from "./load-charts.ts";
import type { SafetyPanel } from "./load-safety.ts";
import { renderSafety } from "./render-safety.ts";
import { renderStatusTables } from "./render-status-tables.ts";
import { lineChart } from "./svg-line-chart.ts";

export interface OverviewPage {
  filters: AdminFilters;
  tenantName: string | undefined;
  overview: AdminOverview;
  charts: ChartData;
  safety: SafetyPanel;
}

const compact = (n: number) =>
  n >= 1e9
    ? `${(n / 1e9).toFixed(1)}G`
    : n >= 1e6
      ? `${(n / 1e6).toFixed(1)}M`
      : n >= 1e4
        ? `${(n / 1e3).toFixed(0)}k`
        : formatCount(n);

/** The `#live` region of the overview: charts, the safety panel and the status tables. */
export function renderOverviewLive(p: OverviewPage): string {
  const { filters: f, charts } = p;
  const chart = (id: string, title: string, series: ChartData[keyof ChartData], format: (y: number) => string) =>
    lineChart({ id, title, series, xStart: f.from, xEnd: f.to, format });
  const scope = p.tenantName ? `tenant ${p.tenantName}` : "all tenants";
  return `<p class="meta">Showing ${escapeHtml(scope)}, last ${escapeHtml(f.range)} in hourly buckets (UTC). Generated
${escapeHtml(formatTime(p.overview.generated_at))}. JSON: <code>/admin/api/overview</code>; SQL: the <code>admin_*</code> views.</p>
<section aria-labelledby="activity-h">
<h2 id="activity-h">Activity</h2>
<div class="grid">
${chart("chart-status", "Jobs per hour by status", charts.statusPerHour, compact)}
${chart("chart-queue-depth", "Queue depth (end of hour)", charts.queueDepth, compact)}
${chart("chart-queue-wait", "Queue wait of jobs started (p50, p95)", charts.queueWait, (s) => formatSeconds(s))}
${chart("chart-throughput", "Throughput: tokens trained per hour", charts.throughput, compact)}
${chart("chart-run-time", "Run time of jobs ended (p50, p95)", charts.runTime, (s) => formatSeconds(s))}
</div>
</section>
${renderSafety(p.safety)}
${renderStatusTables(p.overview)}`;
}
