import type { AdminOverview } from "./admin-overview.ts";
import { formatCount, formatSeconds, formatTime, table, type ColumnSpec } from "./html-kit.ts";

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

/** The four status tables (queue, tenants, failures, webhooks) under the overview's charts. */
export function renderStatusTables(overview: Overview): string {
  return `<h2>Queue now</h2>
${table(QUEUE_COLUMNS, [overview.queue_health], "No data.")}
<h2>Tenants</h2>
${table(TENANT_COLUMNS, overview.tenant_usage, "No tenants yet.")}
<h2>Job failures, last 7 days</h2>
${table(FAILURE_COLUMNS, overview.job_failures, "No failed jobs in the last 7 days.")}
<h2>Webhook endpoints</h2>
${table(WEBHOOK_COLUMNS, overview.webhook_health, "No webhook endpoints.")}`;
}
