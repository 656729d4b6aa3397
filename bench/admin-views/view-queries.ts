/**
 * The queries the dashboard and the Grafana dashboard send, one or more per admin view, with the values a
 * reader would pick (all tenants, one tenant, the last 24 h).
 */
export interface ViewQuery {
  view: string;
  label: string;
  sql: string;
}

const TENANT = `'ten_b7'`;

export const VIEW_QUERIES: ViewQuery[] = [
  { view: "admin_queue_health", label: "all", sql: `select * from admin_queue_health` },
  { view: "admin_tenant_usage", label: "all", sql: `select * from admin_tenant_usage order by tenant_name` },
  { view: "admin_job_failures", label: "all", sql: `select * from admin_job_failures order by failures desc` },
  { view: "admin_webhook_health", label: "all", sql: `select * from admin_webhook_health` },
  {
    view: "admin_jobs_hourly",
    label: "all tenants, 30 d",
    sql: `select * from admin_jobs_hourly where tenant_id is null order by hour`,
  },
  {
    view: "admin_jobs_hourly",
    label: "one tenant, 24 h",
    sql: `select * from admin_jobs_hourly where tenant_id = ${TENANT} and hour >= now() - interval '24 hours' order by hour`,
  },
  {
    view: "admin_job_latency_hourly",
    label: "all tenants, 30 d",
    sql: `select * from admin_job_latency_hourly where tenant_id is null order by hour`,
  },
  {
    view: "admin_queue_depth_hourly",
    label: "all tenants, 30 d",
    sql: `select * from admin_queue_depth_hourly where tenant_id is null order by hour`,
  },
  { view: "admin_tenant_daily", label: "all", sql: `select * from admin_tenant_daily order by day, tenant_id` },
  {
    view: "admin_failure_codes_daily",
    label: "all tenants",
    sql: `select * from admin_failure_codes_daily where tenant_id is null order by day`,
  },
  {
    view: "admin_webhook_daily",
    label: "overall",
    sql: `select * from admin_webhook_daily where tenant_id is null order by day`,
  },
  {
    view: "admin_safety_by_safeguard",
    label: "all tenants",
    sql: `select * from admin_safety_by_safeguard where tenant_id is null order by safeguard_type`,
  },
  {
    view: "admin_gated_jobs",
    label: "latest 50 failures",
    sql: `select * from admin_gated_jobs where not passed order by finished_at desc limit 50`,
  },
  { view: "admin_tenant_safety", label: "all", sql: `select * from admin_tenant_safety order by tenant_name` },
];
