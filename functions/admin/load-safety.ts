import { and, asc, desc, eq, isNull, not } from "drizzle-orm";
import type { Database } from "../../core/db/database.ts";
import { adminGatedJobs, adminSafetyBySafeguard, adminTenantSafety } from "../../core/db/schema.ts";

export type SafetyRow = typeof adminSafetyBySafeguard.$inferSelect;
export type TenantSafetyRow = typeof adminTenantSafety.$inferSelect;
export type GatedJobRow = typeof adminGatedJobs.$inferSelect;

export interface SafetyPanel {
  bySafeguard: SafetyRow[];
  tenants: TenantSafetyRow[];
  /** The latest jobs the gate stopped. */
  recentFailures: GatedJobRow[];
}

export async function loadSafety(db: Database, tenant: string | undefined): Promise<SafetyPanel> {
  const [bySafeguard, tenants, recentFailures] = await Promise.all([
    db
      .select()
      .from(adminSafetyBySafeguard)
      .where(tenant ? eq(adminSafetyBySafeguard.tenantId, tenant) : isNull(adminSafetyBySafeguard.tenantId))
      .orderBy(asc(adminSafetyBySafeguard.safeguardType)),
    db
      .select()
      .from(adminTenantSafety)
      .where(tenant ? eq(adminTenantSafety.tenantId, tenant) : undefined)
      .orderBy(asc(adminTenantSafety.tenantName)),
    db
      .select()
      .from(adminGatedJobs)
      .where(and(not(adminGatedJobs.passed), tenant ? eq(adminGatedJobs.tenantId, tenant) : undefined))
      .orderBy(desc(adminGatedJobs.finishedAt))
      .limit(10),
  ]);
  return { bySafeguard, tenants, recentFailures };
}
