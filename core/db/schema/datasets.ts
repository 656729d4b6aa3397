import { sql } from "drizzle-orm";
import { bigint, check, index, integer, jsonb, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { createdAt, defaultNowTs, ts } from "./columns.ts";
import { tenants } from "./tenants.ts";

export const DATASET_PURPOSES = ["fine-tune", "interleave-pool", "eval"] as const;
export const DATASET_STATUSES = ["awaiting_upload", "validating", "ready", "invalid", "deleted"] as const;
export type DatasetPurpose = (typeof DATASET_PURPOSES)[number];
export type DatasetStatus = (typeof DATASET_STATUSES)[number];

export const datasets = pgTable(
  "datasets",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    filename: text("filename").notNull(),
    purpose: text("purpose").$type<DatasetPurpose>().notNull(),
    status: text("status").$type<DatasetStatus>().notNull().default("awaiting_upload"),
    /** Size the client declared; the stored object must match it. */
    bytes: bigint("bytes", { mode: "number" }).notNull(),
    /** Hex SHA-256 the client declared, if any. */
    sha256: text("sha256"),
    objectKey: text("object_key").notNull(),
    uploadMode: text("upload_mode").$type<"PUT" | "MULTIPART" | "POST" | "SERVER">().notNull().default("PUT"),
    multipartUploadId: text("multipart_upload_id"),
    etag: text("etag"),
    /** Hex SHA-256 of the stored bytes, computed by the validator. */
    contentSha256: text("content_sha256"),
    nExamples: integer("n_examples"),
    /** The validation report: `{ n_examples, n_errors, errors, warnings, stats }`. */
    report: jsonb("report").$type<Record<string, unknown>>(),
    /** Why the dataset is invalid when the reason is not a line-level error (size lie, checksum, …). */
    error: jsonb("error").$type<{ code: string; message: string } | null>(),
    createdAt: createdAt(),
    updatedAt: defaultNowTs("updated_at"),
    uploadExpiresAt: ts("upload_expires_at"),
    validatedAt: ts("validated_at"),
    deletedAt: ts("deleted_at"),
  },
  (t) => [
    index("datasets_tenant_id_idx").on(t.tenantId, t.id),
    index("datasets_object_key_idx").on(t.objectKey),
    check("datasets_purpose_check", sql`${t.purpose} in ('fine-tune', 'interleave-pool', 'eval')`),
    check(
      "datasets_status_check",
      sql`${t.status} in ('awaiting_upload', 'validating', 'ready', 'invalid', 'deleted')`,
    ),
  ],
);

/** Every dataset status change, in order. */
export const datasetEvents = pgTable(
  "dataset_events",
  {
    datasetId: text("dataset_id")
      .notNull()
      .references(() => datasets.id, { onDelete: "cascade" }),
    seq: integer("seq").notNull(),
    type: text("type").notNull(),
    data: jsonb("data").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.datasetId, t.seq] })],
);

/** Upload completions already processed: S3 notifications and client calls dedupe on key + ETag. */
export const uploadReceipts = pgTable(
  "upload_receipts",
  {
    objectKey: text("object_key").notNull(),
    etag: text("etag").notNull(),
    datasetId: text("dataset_id").references(() => datasets.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.objectKey, t.etag] })],
);

export type Dataset = typeof datasets.$inferSelect;
export type NewDataset = typeof datasets.$inferInsert;
