import { sql } from "drizzle-orm";
import { bigint, bigserial, check, index, integer, jsonb, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import type { JobConfig } from "../../jobs/job-config.ts";
import { createdAt, defaultNowTs, ts } from "./columns.ts";
import { datasets } from "./datasets.ts";
import { jobSafetyColumns } from "./job-safety-columns.ts";
import { tenants } from "./tenants.ts";

export const JOB_STATUSES = [
  "validating_files",
  "queued",
  "running",
  "cancelling",
  "succeeded",
  "failed",
  "cancelled",
] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const TERMINAL_JOB_STATUSES: readonly JobStatus[] = ["succeeded", "failed", "cancelled"];

export interface JobErrorBody {
  code: string;
  message: string;
  param: string | null;
}

export const jobs = pgTable(
  "jobs",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    status: text("status").$type<JobStatus>().notNull(),
    model: text("model").notNull(),
    trainingDatasetId: text("training_dataset_id")
      .notNull()
      .references(() => datasets.id),
    validationDatasetId: text("validation_dataset_id").references(() => datasets.id),
    /** The normalised job request: method, hyper-parameters, safeguards, evaluation, seed, suffix. */
    config: jsonb("config").$type<JobConfig>().notNull(),
    metadata: jsonb("metadata").$type<Record<string, string>>().notNull().default({}),
    webhookEndpointId: text("webhook_endpoint_id"),
    error: jsonb("error").$type<JobErrorBody | null>(),
    /** `{ adapter, metrics, evaluation, gate }` once the job has ended. */
    result: jsonb("result").$type<Record<string, unknown> | null>(),
    fineTunedModel: text("fine_tuned_model"),
    leaseOwner: text("lease_owner"),
    leaseExpiresAt: ts("lease_expires_at"),
    attempts: integer("attempts").notNull().default(0),
    /** Last sequence number handed to a job event (events take `event_seq + 1` atomically). */
    eventSeq: integer("event_seq").notNull().default(0),
    trainedTokens: bigint("trained_tokens", { mode: "number" }).notNull().default(0),
    createdAt: createdAt(),
    updatedAt: defaultNowTs("updated_at"),
    queuedAt: ts("queued_at"),
    startedAt: ts("started_at"),
    cancelRequestedAt: ts("cancel_requested_at"),
    finishedAt: ts("finished_at"),
    estimatedFinish: ts("estimated_finish"),
    ...jobSafetyColumns,
  },
  (t) => [
    index("jobs_tenant_id_idx").on(t.tenantId, t.id),
    index("jobs_status_idx").on(t.status),
    index("jobs_training_dataset_idx").on(t.trainingDatasetId),
    // Range scans of the admin rollups (last 30 days); tenant_id lets the per-hour counts skip the heap.
    index("jobs_created_at_idx").on(t.createdAt, t.tenantId),
    index("jobs_queued_at_idx").on(t.queuedAt, t.tenantId),
    index("jobs_started_at_idx").on(t.startedAt, t.tenantId),
    index("jobs_finished_at_idx").on(t.finishedAt),
    // Duration percentiles of a tenant's succeeded jobs (admin_tenant_job_durations): an index-only scan.
    index("jobs_tenant_succeeded_idx")
      .on(t.tenantId, t.startedAt, t.finishedAt)
      .where(sql`${t.status} = 'succeeded'`),
    // admin_job_failures: the failures of the last 7 days by when they failed.
    index("jobs_failed_at_idx")
      .on(sql`coalesce(${t.finishedAt}, ${t.updatedAt})`)
      .where(sql`${t.status} = 'failed'`),
    check(
      "jobs_status_check",
      sql`${t.status} in ('validating_files', 'queued', 'running', 'cancelling', 'succeeded', 'failed', 'cancelled')`,
    ),
  ],
);

export const jobEvents = pgTable(
  "job_events",
  {
    id: text("id").primaryKey(),
    jobId: text("job_id")
      .notNull()
      .references(() => jobs.id, { onDelete: "cascade" }),
    seq: integer("seq").notNull(),
    level: text("level").$type<"info" | "warn" | "error">().notNull().default("info"),
    type: text("type").notNull(),
    step: integer("step"),
    message: text("message").notNull().default(""),
    data: jsonb("data").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("job_events_job_seq_key").on(t.jobId, t.seq)],
);

/** Queue intents written with the job's state change; a relay publishes them and marks them sent. */
export const jobQueueOutbox = pgTable(
  "job_queue_outbox",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    jobId: text("job_id")
      .notNull()
      .references(() => jobs.id, { onDelete: "cascade" }),
    attempt: integer("attempt").notNull(),
    body: jsonb("body").$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
    availableAt: defaultNowTs("available_at"),
    sentAt: ts("sent_at"),
    sendAttempts: integer("send_attempts").notNull().default(0),
    lastError: text("last_error"),
  },
  (t) => [
    index("job_queue_outbox_unsent_idx")
      .on(t.availableAt)
      .where(sql`${t.sentAt} is null`),
  ],
);

export const checkpoints = pgTable(
  "checkpoints",
  {
    id: text("id").primaryKey(),
    jobId: text("job_id")
      .notNull()
      .references(() => jobs.id, { onDelete: "cascade" }),
    step: integer("step").notNull(),
    objectPrefix: text("object_prefix").notNull(),
    metrics: jsonb("metrics").$type<Record<string, number>>().notNull().default({}),
    /** Set once every object of the checkpoint is in the store; resume only uses complete ones. */
    complete: integer("complete").notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("checkpoints_job_step_key").on(t.jobId, t.step)],
);

export const artifacts = pgTable(
  "artifacts",
  {
    id: text("id").primaryKey(),
    jobId: text("job_id")
      .notNull()
      .references(() => jobs.id, { onDelete: "cascade" }),
    kind: text("kind").notNull(),
    filename: text("filename").notNull(),
    objectKey: text("object_key").notNull(),
    bytes: bigint("bytes", { mode: "number" }).notNull(),
    sha256: text("sha256"),
    /** Withheld artifacts (e.g. an adapter that failed the misalignment gate) are not listed by default. */
    withheld: integer("withheld").notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("artifacts_job_kind_file_key").on(t.jobId, t.kind, t.filename)],
);

export type Job = typeof jobs.$inferSelect;
export type NewJob = typeof jobs.$inferInsert;
export type JobEvent = typeof jobEvents.$inferSelect;
export type Checkpoint = typeof checkpoints.$inferSelect;
export type Artifact = typeof artifacts.$inferSelect;
