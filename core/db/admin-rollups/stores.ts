import {
  failureCodesDailyBuckets,
  jobLatencyHourlyBuckets,
  jobsHourlyBuckets,
  queueMovesHourlyBuckets,
  tenantDailyBuckets,
  tenantSafetyDailyBuckets,
  tenantUsageDailyBuckets,
  webhookDailyBuckets,
} from "../schema/admin-buckets.ts";
import { SAFETY_PARTIAL_COLUMNS, safetyDailyBuckets } from "../schema/admin-safety-buckets.ts";

/** A table of stored buckets and the query that computes its buckets in [lo, hi). */
export interface BucketStore {
  table: string;
  /** The bucket column: `hour` or `day`. */
  bucket: "hour" | "day";
  /** Keep only the views' 30-day window (else every day, for the all-time tenant totals). */
  windowed: boolean;
  /** Column list of the insert, in the order the query returns them. */
  columns?: string;
  buckets: (lo: string, hi: string) => string;
}

export const BUCKET_STORES: BucketStore[] = [
  { table: "admin_jobs_hourly_rollup", bucket: "hour", windowed: true, buckets: jobsHourlyBuckets },
  { table: "admin_job_latency_hourly_rollup", bucket: "hour", windowed: true, buckets: jobLatencyHourlyBuckets },
  { table: "admin_queue_moves_hourly_rollup", bucket: "hour", windowed: true, buckets: queueMovesHourlyBuckets },
  { table: "admin_tenant_daily_rollup", bucket: "day", windowed: true, buckets: tenantDailyBuckets },
  { table: "admin_failure_codes_daily_rollup", bucket: "day", windowed: true, buckets: failureCodesDailyBuckets },
  { table: "admin_webhook_daily_rollup", bucket: "day", windowed: true, buckets: webhookDailyBuckets },
  { table: "admin_tenant_safety_daily_rollup", bucket: "day", windowed: true, buckets: tenantSafetyDailyBuckets },
  {
    table: "admin_safety_daily_rollup",
    bucket: "day",
    windowed: true,
    columns: ["day", "safeguard_type", "tenant_id", ...SAFETY_PARTIAL_COLUMNS].join(", "),
    buckets: safetyDailyBuckets,
  },
  { table: "admin_tenant_usage_daily_rollup", bucket: "day", windowed: false, buckets: tenantUsageDailyBuckets },
];
