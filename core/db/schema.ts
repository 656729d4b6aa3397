export * from "./schema/tenants.ts";
export * from "./schema/datasets.ts";
export * from "./schema/jobs.ts";
export * from "./schema/webhooks.ts";
export * from "./schema/idempotency.ts";
export * from "./schema/admin-views.ts";
export * from "./schema/admin-rollups.ts";
export * from "./schema/admin-safety.ts";
