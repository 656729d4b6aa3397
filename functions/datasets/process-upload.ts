import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, S3ServiceException } from "@aws-sdk/client-s3";
import { and, eq } from "drizzle-orm";
import { datasets, uploadReceipts, type Dataset } from "../../core/db/schema.ts";
import { datasetIdFromObjectKey } from "./dataset-object.ts";
import { IllegalDatasetTransitionError, transitionDataset } from "./dataset-transitions.ts";
import type { ObjectCreated } from "../../core/aws/upload-notification.ts";
import { unquote } from "../../core/aws/upload-notification.ts";
import { validateDataset } from "./validate-dataset.ts";
import type { AppDeps } from "../deps.ts";

export type UploadOutcome = "ignored" | "duplicate" | "ready" | "invalid" | "superseded";

type Deps = Pick<AppDeps, "db" | "aws" | "config" | "logger">;

/**
 * Handles one ObjectCreated record from the uploads queue: dedupes on object key + ETag, checks the stored
 * size against the declaration, streams the object through the validator, and moves the dataset to
 * `ready` or `invalid`. A size or checksum mismatch deletes the object. Store and database failures throw
 * (the message is then redelivered); a redelivery of a validation that never finished runs it again.
 */
export async function processObjectCreated(
  deps: Deps,
  rec: ObjectCreated,
  opts: { redelivered?: boolean } = {},
): Promise<UploadOutcome> {
  const { db, aws, logger } = deps;
  if (rec.bucket !== aws.bucket) return "ignored";
  const id = datasetIdFromObjectKey(rec.key);
  if (!id) return "ignored";
  const [row] = await db
    .select()
    .from(datasets)
    .where(and(eq(datasets.id, id), eq(datasets.objectKey, rec.key)));
  if (!row) return "ignored";
  if (row.status !== "awaiting_upload" && row.status !== "validating") return "duplicate";

  let etag = rec.etag;
  if (!etag) {
    const head = await headOrNull(deps, row.objectKey);
    if (!head?.ETag) return "ignored";
    etag = unquote(head.ETag);
  }
  const claimed = await claim(deps, row, etag, opts.redelivered ?? false);
  if (!claimed) return "duplicate";

  const head = await headOrNull(deps, row.objectKey);
  if (!head)
    return finish(deps, row, "invalid", {
      error: { code: "object_missing", message: "The uploaded object is no longer in the store." },
    });
  const size = head.ContentLength ?? -1;
  if (size !== row.bytes) {
    await deleteObject(deps, row);
    return finish(deps, row, "invalid", {
      error: {
        code: "size_mismatch",
        message: `The upload is ${size} bytes but ${row.bytes} bytes were declared; the object was deleted. Create a new dataset with the file's exact size.`,
      },
    });
  }
  const storedEtag = head.ETag ?? `"${etag}"`;
  const object = await aws.s3.send(
    new GetObjectCommand({ Bucket: aws.bucket, Key: row.objectKey, IfMatch: storedEtag }),
  );
  if (!object.Body) throw new Error(`GetObject ${row.objectKey} returned no body`);
  const limits = deps.config.uploads;
  const started = performance.now();
  const report = await validateDataset(object.Body as AsyncIterable<Uint8Array>, {
    purpose: row.purpose,
    minExamples: limits.minExamples,
    maxLineBytes: limits.maxLineBytes,
    maxExamples: limits.maxExamples,
  });
  const ms = performance.now() - started;
  logger.info(
    { datasetId: id, bytes: size, examples: report.n_examples, errors: report.n_errors, ms: Math.round(ms) },
    "dataset validated",
  );

  const common = {
    report: { ...report },
    nExamples: report.n_examples,
    contentSha256: report.stats.sha256,
    etag: unquote(storedEtag),
  };
  if (row.sha256 && row.sha256 !== report.stats.sha256) {
    await deleteObject(deps, row);
    return finish(deps, row, "invalid", {
      ...common,
      error: {
        code: "checksum_mismatch",
        message: `The upload's SHA-256 is ${report.stats.sha256} but ${row.sha256} was declared; the object was deleted.`,
      },
    });
  }
  if (report.n_errors > 0) {
    const first = report.errors[0];
    return finish(deps, row, "invalid", {
      ...common,
      error: {
        code: "validation_failed",
        message: `${report.n_errors} error${report.n_errors > 1 ? "s" : ""} in the file; first: ${first.line === null ? "" : `line ${first.line}: `}${first.code}: ${first.message}`,
      },
    });
  }
  return finish(deps, row, "ready", { ...common, error: null });
}

/**
 * Records the receipt and enters `validating` in one transaction; false when another delivery owns it.
 * A notification seen before is run again only when this message is itself a redelivery (its first
 * handling failed or the consumer stopped mid-way); a concurrent duplicate (S3's own notification next to
 * the API's) is skipped.
 */
async function claim(deps: Deps, row: Dataset, etag: string, redelivered: boolean): Promise<boolean> {
  return deps.db.transaction(async (tx) => {
    const inserted = await tx
      .insert(uploadReceipts)
      .values({ objectKey: row.objectKey, etag, datasetId: row.id })
      .onConflictDoNothing()
      .returning();
    const [current] = await tx
      .select({ status: datasets.status })
      .from(datasets)
      .where(eq(datasets.id, row.id))
      .for("update");
    if (!current) return false;
    if (inserted.length === 0) {
      if (current.status !== "validating" || !redelivered) return false;
      await transitionDataset(tx, row.id, {
        from: "validating",
        to: "validating",
        event: { type: "dataset.validation_restarted", data: { etag } },
      });
      return true;
    }
    if (current.status !== "awaiting_upload") return false;
    await transitionDataset(tx, row.id, {
      from: "awaiting_upload",
      to: "validating",
      set: { etag },
      event: { data: { etag } },
    });
    return true;
  });
}

/**
 * Ends a validation that keeps failing (the store or the database refused it on every delivery): the
 * dataset becomes `invalid` with the reason, so that it never stays `validating` forever.
 */
export async function abandonUpload(deps: Deps, rec: ObjectCreated, cause: unknown): Promise<void> {
  const id = datasetIdFromObjectKey(rec.key);
  if (!id || rec.bucket !== deps.aws.bucket) return;
  const [row] = await deps.db
    .select()
    .from(datasets)
    .where(and(eq(datasets.id, id), eq(datasets.objectKey, rec.key)));
  if (!row || (row.status !== "awaiting_upload" && row.status !== "validating")) return;
  const reason = cause instanceof Error ? cause.message : String(cause);
  await transitionDataset(deps.db, id, {
    from: row.status,
    to: "invalid",
    set: {
      error: { code: "validation_error", message: `Validation failed repeatedly (${reason}). Upload the file again.` },
      validatedAt: new Date(),
    },
  }).catch((err: unknown) => {
    if (!(err instanceof IllegalDatasetTransitionError)) throw err;
  });
}

async function finish(
  deps: Deps,
  row: Dataset,
  to: "ready" | "invalid",
  set: Partial<typeof datasets.$inferInsert>,
): Promise<UploadOutcome> {
  try {
    await transitionDataset(deps.db, row.id, {
      from: "validating",
      to,
      set: { ...set, validatedAt: new Date() },
      event: { data: set.error ? { error: set.error } : { n_examples: set.nExamples } },
    });
    return to;
  } catch (err) {
    // Deleted meanwhile, or a concurrent delivery finished first.
    if (err instanceof IllegalDatasetTransitionError) return "superseded";
    throw err;
  }
}

async function headOrNull(deps: Deps, key: string) {
  try {
    return await deps.aws.s3.send(new HeadObjectCommand({ Bucket: deps.aws.bucket, Key: key }));
  } catch (err) {
    if (err instanceof S3ServiceException && (err.name === "NotFound" || err.name === "NoSuchKey")) return null;
    throw err;
  }
}

async function deleteObject(deps: Deps, row: Dataset): Promise<void> {
  await deps.aws.s3.send(new DeleteObjectCommand({ Bucket: deps.aws.bucket, Key: row.objectKey }));
}
