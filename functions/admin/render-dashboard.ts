import type { AdminOverview } from "./admin-overview.ts";

/** Seconds between automatic reloads of the page (a meta refresh: no script on the page). */
export const DASHBOARD_REFRESH_SECONDS = 10;

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Everything that reaches the page from the database goes through here (tenant names, URLs, messages). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch]);
}

/** `42 s`, `3.5 min`, `2.1 h`, `1.3 d`; an em dash when there is no value. */
export function formatSeconds(seconds: number | null): string {
  if (seconds === null) return "—";
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  if (seconds < 3600) return `${(seconds / 60).toFixed(1)} min`;
  if (seconds < 86_400) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} d`;
}

const formatTime = (date: Date | null) =>
  date
    ? date
        .toISOString()
        .replace("T", " ")
        .replace(/\.\d+Z$/, "Z")
    : "—";
const formatCount = (n: number) => n.toLocaleString("en-US");

interface ColumnSpec<Row> {
  label: string;
  cell: (row: Row) => string;
  numeric?: boolean;
}

function table<Row>(columns: ReadonlyArray<ColumnSpec<Row>>, rows: readonly Row[], empty: string): string {
  if (rows.length === 0) return `<p class="empty">${escapeHtml(empty)}</p>`;
  const head = columns.map((c) => `<th${c.numeric ? ' class="num"' : ""}>${escapeHtml(c.label)}</th>`).join("");
  const body = rows
    .map(
      (row) =>
        `<tr>${columns.map((c) => `<td${c.numeric ? ' class="num"' : ""}>${escapeHtml(c.cell(row))}</td>`).join("")}</tr>`,
    )
    .join("\n");
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

type Overview = AdminOverview;
type Q = Overview["queue_health"];
type T = Overview["tenant_usage"][number];
type F = Overview["job_failures"][number];
type W = Overview["webhook_health"][number];

const QUEUE_COLUMNS: ReadonlyArray<ColumnSpec<Q>> = [
  { label: "queued", cell: (r) => formatCount(r.queuedJobs), numeric: true },
  { label: "oldest queued", cell: (r) => formatSeconds(r.oldestQueuedAgeS), numeric: true },
  { label: "running", cell: (r) => formatCount(r.runningJobs), numeric: true },
  { label: "expired leases", cell: (r) => formatCount(r.expiredLeaseJobs), numeric: true },
  { label: "cancelling", cell: (r) => formatCount(r.cancellingJobs), numeric: true },
  { label: "unsent outbox", cell: (r) => formatCount(r.unsentOutbox), numeric: true },
  { label: "oldest unsent", cell: (r) => formatSeconds(r.oldestUnsentOutboxAgeS), numeric: true },
];

const TENANT_COLUMNS: ReadonlyArray<ColumnSpec<T>> = [
  { label: "tenant", cell: (r) => r.tenantName },
  { label: "jobs", cell: (r) => formatCount(r.jobsTotal), numeric: true },
  { label: "validating", cell: (r) => formatCount(r.jobsValidatingFiles), numeric: true },
  { label: "queued", cell: (r) => formatCount(r.jobsQueued), numeric: true },
  { label: "running", cell: (r) => formatCount(r.jobsRunning), numeric: true },
  { label: "cancelling", cell: (r) => formatCount(r.jobsCancelling), numeric: true },
  { label: "succeeded", cell: (r) => formatCount(r.jobsSucceeded), numeric: true },
  { label: "failed", cell: (r) => formatCount(r.jobsFailed), numeric: true },
  { label: "cancelled", cell: (r) => formatCount(r.jobsCancelled), numeric: true },
  { label: "jobs 24 h", cell: (r) => formatCount(r.jobsLast24h), numeric: true },
  { label: "trained tokens", cell: (r) => formatCount(r.trainedTokens), numeric: true },
  { label: "median duration", cell: (r) => formatSeconds(r.medianJobDurationS), numeric: true },
  { label: "p95 duration", cell: (r) => formatSeconds(r.p95JobDurationS), numeric: true },
  { label: "datasets ready", cell: (r) => formatCount(r.datasetsReady), numeric: true },
  { label: "datasets invalid", cell: (r) => formatCount(r.datasetsInvalid), numeric: true },
];

const FAILURE_COLUMNS: ReadonlyArray<ColumnSpec<F>> = [
  { label: "error code", cell: (r) => r.code },
  { label: "failures", cell: (r) => formatCount(r.failures), numeric: true },
  { label: "tenants", cell: (r) => formatCount(r.tenants), numeric: true },
  { label: "last failure", cell: (r) => formatTime(r.lastFailedAt) },
  { label: "last message", cell: (r) => r.lastMessage ?? "" },
];

const WEBHOOK_COLUMNS: ReadonlyArray<ColumnSpec<W>> = [
  { label: "tenant", cell: (r) => r.tenantName },
  { label: "endpoint", cell: (r) => r.url },
  {
    label: "state",
    cell: (r) => (r.enabled ? "enabled" : `disabled${r.disabledReason ? `: ${r.disabledReason}` : ""}`),
  },
  { label: "pending", cell: (r) => formatCount(r.deliveriesPending), numeric: true },
  { label: "succeeded 24 h", cell: (r) => formatCount(r.deliveriesSucceeded24h), numeric: true },
  { label: "failed 24 h", cell: (r) => formatCount(r.deliveriesFailed24h), numeric: true },
  { label: "failing since", cell: (r) => formatTime(r.failingSince) },
];

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#1b1f24;background:#fafafa}
h1{font-size:1.3rem;margin:0 0 .2rem}h2{font-size:1.05rem;margin:1.6rem 0 .5rem}
.meta,.empty{color:#57606a}
table{border-collapse:collapse;background:#fff;font-variant-numeric:tabular-nums}
th,td{border:1px solid #d0d7de;padding:.25rem .55rem;text-align:left;vertical-align:top}
th{background:#f0f3f6;font-weight:600}td.num,th.num{text-align:right}
td{max-width:32rem;overflow-wrap:anywhere}`;

/** The whole dashboard as one self-contained HTML document. */
export function renderDashboard(overview: Overview): string {
  const generated = formatTime(overview.generated_at);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="${DASHBOARD_REFRESH_SECONDS}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>guardtune admin</title>
<style>${STYLE}</style>
</head>
<body>
<h1>guardtune admin</h1>
<p class="meta">Generated ${escapeHtml(generated)}; reloads every ${DASHBOARD_REFRESH_SECONDS} s. JSON: <code>/admin/api/overview</code>.</p>
<h2>Queue</h2>
${table(QUEUE_COLUMNS, [overview.queue_health], "No data.")}
<h2>Tenants</h2>
${table(TENANT_COLUMNS, overview.tenant_usage, "No tenants yet.")}
<h2>Job failures, last 7 days</h2>
${table(FAILURE_COLUMNS, overview.job_failures, "No failed jobs in the last 7 days.")}
<h2>Webhook endpoints</h2>
${table(WEBHOOK_COLUMNS, overview.webhook_health, "No webhook endpoints.")}
</body>
</html>
`;
}
