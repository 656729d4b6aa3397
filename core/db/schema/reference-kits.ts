import { index, pgTable, primaryKey, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt } from "./columns.ts";
import { datasets } from "./datasets.ts";
import { jobs } from "./jobs.ts";
import { tenants } from "./tenants.ts";

/**
 * A reference kit: misaligned LoRA adapters for one base model, each trained unguarded on one EM dataset, that
 * perplexity-gap selection scores the pool with (core/safeguards/reference-kits.ts). Built by an operator
 * (`POST /v1/reference_kits`, admin scope) and usable by every tenant's jobs on that model. The kit's state is
 * its members' jobs' states: no status column to fall out of step.
 */
export const referenceKits = pgTable(
  "reference_kits",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    /** The base model, as the model registry names it (`modelRefId`). */
    model: text("model").notNull(),
    /** The operator's tenant: it owns the datasets and the jobs that train the adapters. */
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("reference_kits_name_key").on(t.name), index("reference_kits_model_idx").on(t.model, t.id)],
);

/** One adapter of a kit: the unguarded job trained on one dataset of one EM domain. */
export const referenceKitMembers = pgTable(
  "reference_kit_members",
  {
    kitId: text("kit_id")
      .notNull()
      .references(() => referenceKits.id, { onDelete: "cascade" }),
    jobId: text("job_id")
      .notNull()
      .references(() => jobs.id, { onDelete: "cascade" }),
    datasetId: text("dataset_id")
      .notNull()
      .references(() => datasets.id),
    domain: text("domain").notNull(),
  },
  (t) => [primaryKey({ columns: [t.kitId, t.jobId] }), index("reference_kit_members_job_idx").on(t.jobId)],
);

export type ReferenceKit = typeof referenceKits.$inferSelect;
export type ReferenceKitMember = typeof referenceKitMembers.$inferSelect;
