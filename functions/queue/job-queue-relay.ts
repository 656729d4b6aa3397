import { and, asc, eq, inArray, isNull, lte, sql } from "drizzle-orm";
import type { AwsResources } from "../../core/aws/resources.ts";
import { backoffDelayMs } from "../../core/background/backoff.ts";
import { startPassLoop, type Loop } from "../../core/background/loop.ts";
import type { Config } from "../../core/config/load-config.ts";
import type { Database } from "../../core/db/database.ts";
import { jobQueueOutbox, jobs } from "../../core/db/schema.ts";
import type { Logger } from "../../core/log/logger.ts";
import { jobMessageSchema, sendJobMessageBatch, SQS_BATCH_MAX } from "../../core/queue/job-message.ts";

export interface RelayDeps {
  db: Database;
  aws: Pick<AwsResources, "sqs" | "jobsQueueUrl">;
  logger: Logger;
}

export interface RelayPass {
  sent: number;
  failed: number;
  /** Intents whose job had moved on (cancelled, held by a live runner) by the time they were relayed. */
  skipped: number;
}

export const RELAY_BATCH = 25;
/** How long a claimed intent stays invisible to other relays while this one sends it. */
export const RELAY_LEASE_MS = 30_000;
/** A failed send is retried after 2 s (first attempt), doubling per attempt, at most every 5 min. */
const SEND_BACKOFF = { baseMs: 1000, maxMs: 5 * 60_000 };

/**
 * One pass of the outbox relay: claims due intents (a lease on `available_at`, `FOR UPDATE SKIP LOCKED`, so
 * concurrent relays never send the same intent twice), publishes them in batches of ten, marks them sent. A
 * failed send stays unsent with its error and is retried with exponential backoff. A relay that dies between
 * sending and marking leaves the intent to be sent again after the lease: SQS is at-least-once anyway.
 * An intent is sent while its job can still be claimed: `queued`, or `running`/`cancelling` with an expired
 * lease (a runner vanished; the sweeper wrote the intent, and the claim resumes or finishes the job).
 */
export async function relayJobMessages(deps: RelayDeps, batch = RELAY_BATCH): Promise<RelayPass> {
  const now = new Date();
  const due = deps.db
    .select({ id: jobQueueOutbox.id })
    .from(jobQueueOutbox)
    .where(and(isNull(jobQueueOutbox.sentAt), lte(jobQueueOutbox.availableAt, now)))
    .orderBy(asc(jobQueueOutbox.id))
    .limit(batch)
    .for("update", { skipLocked: true });
  const claimed = await deps.db
    .update(jobQueueOutbox)
    .set({
      availableAt: new Date(now.getTime() + RELAY_LEASE_MS),
      sendAttempts: sql`${jobQueueOutbox.sendAttempts} + 1`,
    })
    .where(inArray(jobQueueOutbox.id, due))
    .returning();
  const result: RelayPass = { sent: 0, failed: 0, skipped: 0 };
  if (claimed.length === 0) return result;

  const states = new Map(
    (
      await deps.db
        .select({ id: jobs.id, status: jobs.status, claimable: claimable() })
        .from(jobs)
        .where(inArray(jobs.id, [...new Set(claimed.map((r) => r.jobId))]))
    ).map((j) => [j.id, j]),
  );
  const toSend: typeof claimed = [];
  for (const row of claimed.sort((a, b) => a.id - b.id)) {
    const state = states.get(row.jobId);
    if (state?.claimable) {
      toSend.push(row);
      continue;
    }
    await mark(deps.db, row.id, { sentAt: new Date(), lastError: `not sent: job is ${state?.status ?? "gone"}` });
    result.skipped++;
  }
  for (let i = 0; i < toSend.length; i += SQS_BATCH_MAX) {
    const chunk = toSend.slice(i, i + SQS_BATCH_MAX);
    let failures: Map<number, string>;
    try {
      failures = await sendJobMessageBatch(
        deps.aws,
        chunk.map((row) => jobMessageSchema.parse(row.body)),
      );
    } catch (err) {
      const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      failures = new Map(chunk.map((_, j) => [j, message]));
      deps.logger.warn({ err, jobs: chunk.map((r) => r.jobId) }, "job message send failed; will retry");
    }
    const sentIds = chunk.filter((_, j) => !failures.has(j)).map((r) => r.id);
    if (sentIds.length > 0) {
      await deps.db
        .update(jobQueueOutbox)
        .set({ sentAt: new Date(), lastError: null })
        .where(and(inArray(jobQueueOutbox.id, sentIds), isNull(jobQueueOutbox.sentAt)));
    }
    for (const [j, message] of failures) {
      const row = chunk[j];
      const backoff = backoffDelayMs(SEND_BACKOFF, row.sendAttempts + 1);
      await mark(deps.db, row.id, { lastError: message.slice(0, 1000), availableAt: new Date(Date.now() + backoff) });
    }
    result.sent += sentIds.length;
    result.failed += failures.size;
  }
  return result;
}

/** Whether a runner could claim the job now (the claim's own rule, in database time). */
const claimable = () =>
  sql<boolean>`(${jobs.status} = 'queued' or (${jobs.status} in ('running', 'cancelling') and coalesce(${jobs.leaseExpiresAt}, '-infinity'::timestamptz) < now()))`;

async function mark(db: Database, id: number, set: Partial<typeof jobQueueOutbox.$inferInsert>): Promise<void> {
  await db
    .update(jobQueueOutbox)
    .set(set)
    .where(and(eq(jobQueueOutbox.id, id), isNull(jobQueueOutbox.sentAt)));
}

/** The relay as a stack service, named after the topic the API notifies after queueing a job. */
export function startJobQueueRelay(ctx: RelayDeps & { config: Config }): Loop | null {
  if (!ctx.config.queue.relayEnabled) return null;
  return startPassLoop({
    name: "jobs-outbox",
    intervalMs: ctx.config.queue.relayPollIntervalMs,
    logger: ctx.logger,
    pass: async () => {
      const r = await relayJobMessages(ctx);
      if (r.sent + r.skipped > 0) ctx.logger.debug({ ...r }, "job messages relayed");
      return r.sent + r.skipped === RELAY_BATCH;
    },
  });
}
