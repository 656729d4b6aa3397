import { asc, Column, desc, getViewSelectedFields, is, type View } from "drizzle-orm";
import type { Database } from "../../core/db/database.ts";
import { adminJobFailures, adminQueueHealth, adminTenantUsage, adminWebhookHealth } from "../../core/db/schema.ts";

export type QueueHealthRow = typeof adminQueueHealth.$inferSelect;
export type TenantUsageRow = typeof adminTenantUsage.$inferSelect;
export type JobFailureRow = typeof adminJobFailures.$inferSelect;
export type WebhookHealthRow = typeof adminWebhookHealth.$inferSelect;

export interface AdminOverview {
  generated_at: Date;
  queue_health: QueueHealthRow;
  tenant_usage: TenantUsageRow[];
  job_failures: JobFailureRow[];
  webhook_health: WebhookHealthRow[];
}

/** Reads the four admin views (each a single statement, so each is internally consistent). */
export async function loadAdminOverview(db: Database): Promise<AdminOverview> {
  const [queue, tenantUsage, jobFailures, webhookHealth] = await Promise.all([
    db.select().from(adminQueueHealth),
    db.select().from(adminTenantUsage).orderBy(asc(adminTenantUsage.tenantName)),
    db.select().from(adminJobFailures).orderBy(desc(adminJobFailures.failures), asc(adminJobFailures.code)),
    db
      .select()
      .from(adminWebhookHealth)
      .orderBy(asc(adminWebhookHealth.tenantName), asc(adminWebhookHealth.url), asc(adminWebhookHealth.endpointId)),
  ]);
  // The view always yields exactly one row (aggregates without GROUP BY).
  const queueHealth = queue[0];
  if (!queueHealth) throw new Error("admin_queue_health returned no row");
  return {
    generated_at: new Date(),
    queue_health: queueHealth,
    tenant_usage: tenantUsage,
    job_failures: jobFailures,
    webhook_health: webhookHealth,
  };
}

/** A view's rows keyed by the view's own column names (`jobs_last_24h`), as admins know them from SQL. */
function keyedByColumnName(view: View, row: object): Record<string, unknown> {
  const fields = getViewSelectedFields(view) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    const field = fields[key];
    out[is(field, Column) ? field.name : key] = value;
  }
  return out;
}

/** The overview as JSON-ready data whose keys are the views' column names. */
export function overviewJson(overview: AdminOverview): Record<string, unknown> {
  return {
    generated_at: overview.generated_at.toISOString(),
    queue_health: keyedByColumnName(adminQueueHealth, overview.queue_health),
    tenant_usage: overview.tenant_usage.map((r) => keyedByColumnName(adminTenantUsage, r)),
    job_failures: overview.job_failures.map((r) => keyedByColumnName(adminJobFailures, r)),
    webhook_health: overview.webhook_health.map((r) => keyedByColumnName(adminWebhookHealth, r)),
  };
}
