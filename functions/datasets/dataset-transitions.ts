import { and, eq, inArray, sql } from "drizzle-orm";
import type { Queryable } from "../../core/db/database.ts";
import { datasetEvents, datasets, type Dataset, type DatasetStatus } from "../../core/db/schema.ts";
import { enqueueWebhookEvent } from "../../core/webhooks/outbox.ts";
import { toDatasetObject } from "./dataset-object.ts";

/** The only status changes a dataset can make. `deleted` is final. */
export const DATASET_TRANSITIONS: Readonly<Record<DatasetStatus, readonly DatasetStatus[]>> = {
  awaiting_upload: ["validating", "invalid", "deleted"],
  // validating → validating: a redelivered notification restarts a validation that never finished.
  validating: ["validating", "ready", "invalid", "deleted"],
  ready: ["deleted"],
  invalid: ["deleted"],
  deleted: [],
};

export class IllegalDatasetTransitionError extends Error {
  override readonly name = "IllegalDatasetTransitionError";
  constructor(
    readonly datasetId: string,
    readonly to: DatasetStatus,
    readonly actual: DatasetStatus | null,
  ) {
    super(
      actual === null
        ? `dataset ${datasetId} does not exist`
        : `dataset ${datasetId} cannot move from ${actual} to ${to}`,
    );
  }
}

export interface DatasetTransition {
  from: DatasetStatus | readonly DatasetStatus[];
  to: DatasetStatus;
  event?: { type?: string; data?: Record<string, unknown> };
  set?: Partial<Omit<typeof datasets.$inferInsert, "id" | "tenantId" | "status">>;
}

/**
 * Moves a dataset from one of `from` to `to` with one guarded UPDATE, appends a `dataset_events` row, and,
 * on entering `ready` or `invalid`, writes the `dataset.ready` / `dataset.invalid` webhook event — all in
 * one transaction (a savepoint when `db` is already a transaction). Throws IllegalDatasetTransitionError,
 * naming the actual status, when the dataset is not in `from`.
 */
export async function transitionDataset(db: Queryable, datasetId: string, t: DatasetTransition): Promise<Dataset> {
  const from = typeof t.from === "string" ? [t.from] : [...t.from];
  for (const f of from) {
    if (!DATASET_TRANSITIONS[f].includes(t.to)) throw new IllegalDatasetTransitionError(datasetId, t.to, f);
  }
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(datasets)
      .set({ ...t.set, status: t.to, updatedAt: new Date() })
      .where(and(eq(datasets.id, datasetId), inArray(datasets.status, from)))
      .returning();
    if (!row) {
      const [current] = await tx.select({ status: datasets.status }).from(datasets).where(eq(datasets.id, datasetId));
      throw new IllegalDatasetTransitionError(datasetId, t.to, current?.status ?? null);
    }
    await appendDatasetEvent(tx, datasetId, t.event?.type ?? `dataset.${t.to}`, {
      from: from.length === 1 ? from[0] : from,
      to: t.to,
      ...t.event?.data,
    });
    if (t.to === "ready" || t.to === "invalid") {
      await enqueueWebhookEvent(tx, { tenantId: row.tenantId, type: `dataset.${t.to}`, data: toDatasetObject(row) });
    }
    return row;
  });
}

/**
 * Appends an event with the next per-dataset sequence number. Callers hold the dataset row's lock (the
 * guarded UPDATE above, or the INSERT that created it), so the `max(seq) + 1` cannot race.
 */
export async function appendDatasetEvent(
  db: Queryable,
  datasetId: string,
  type: string,
  data: Record<string, unknown>,
): Promise<void> {
  await db.insert(datasetEvents).values({
    datasetId,
    seq: sql`(select coalesce(max(${datasetEvents.seq}), 0) + 1 from ${datasetEvents} where ${datasetEvents.datasetId} = ${datasetId})`,
    type,
    data,
  });
}
