import { DeleteObjectCommand } from "@aws-sdk/client-s3";
import { eq } from "drizzle-orm";
import { DATASET_PURPOSES, datasets, type Dataset, type DatasetPurpose, type Tenant } from "../../core/db/schema.ts";
import { datasetObjectKey } from "../datasets/dataset-object.ts";
import { appendDatasetEvent } from "../datasets/dataset-transitions.ts";
import { ApiError, unprocessable } from "../../core/errors.ts";
import { ID_PREFIX, newId } from "../../core/ids.ts";
import { enqueueObjectCreated } from "../datasets/enqueue-notification.ts";
import type { AppDeps } from "../deps.ts";
import { formBoundary, readMultipartForm, readTextPart } from "./files-form-parser.ts";
import { safeFilename } from "./files-object.ts";
import { streamToS3, type StoredUpload } from "./files-stream-to-s3.ts";

/** How long `POST /v1/files` waits for validation before answering with status "uploaded". */
export const FILE_VALIDATION_WAIT_MS = 10_000;

const isPurpose = (p: string): p is DatasetPurpose => (DATASET_PURPOSES as readonly string[]).includes(p);

/**
 * `POST /v1/files`: streams the form's `file` part straight into the tenant's prefix in S3 (never the whole
 * file in memory), registers the dataset, and hands it to the same uploads queue as presigned uploads.
 * Parts may come in any order (SDKs often send `file` before `purpose`).
 */
export async function uploadFormFile(
  deps: Pick<AppDeps, "db" | "aws" | "config">,
  tenant: Tenant,
  contentType: string | undefined,
  body: ReadableStream<Uint8Array> | null,
): Promise<Dataset> {
  const boundary = formBoundary(contentType);
  if (!boundary) {
    throw new ApiError({
      status: 415,
      code: "unsupported_media_type",
      title: "Unsupported Media Type",
      detail: "Send the file as multipart/form-data with fields 'file' and 'purpose'.",
    });
  }
  if (!body) throw unprocessable("missing_file", "The form has no 'file' field.", "file");
  const id = newId(ID_PREFIX.dataset);
  let purpose: string | undefined;
  let stored: (StoredUpload & { key: string; filename: string }) | undefined;
  try {
    for await (const part of readMultipartForm(body, boundary)) {
      if (part.name === "purpose") purpose = (await readTextPart(part)).trim();
      else if (part.name === "file") {
        if (stored) throw unprocessable("multiple_files", "Send one file per request.", "file");
        const filename = safeFilename(part.filename);
        const key = datasetObjectKey(tenant.id, id, filename);
        stored = { ...(await streamToS3(deps.aws, key, part.next, deps.config.uploads.maxBytes)), key, filename };
      }
    }
    if (!stored) throw unprocessable("missing_file", "The form has no 'file' field.", "file");
    if (purpose === undefined || !isPurpose(purpose)) {
      throw unprocessable(
        "invalid_purpose",
        `purpose must be one of ${DATASET_PURPOSES.join(", ")}${purpose === undefined ? "" : ` (got '${purpose}')`}.`,
        "purpose",
      );
    }
  } catch (err) {
    if (stored)
      await deps.aws.s3
        .send(new DeleteObjectCommand({ Bucket: deps.aws.bucket, Key: stored.key }))
        .catch(() => undefined);
    throw err;
  }
  const file = stored;
  const row = await deps.db.transaction(async (tx) => {
    const [inserted] = await tx
      .insert(datasets)
      .values({
        id,
        tenantId: tenant.id,
        filename: file.filename,
        purpose,
        status: "awaiting_upload",
        bytes: file.bytes,
        sha256: file.sha256,
        objectKey: file.key,
        uploadMode: "SERVER",
      })
      .returning();
    await appendDatasetEvent(tx, id, "dataset.created", { to: "awaiting_upload", upload: "SERVER", bytes: file.bytes });
    return inserted;
  });
  await enqueueObjectCreated(deps, { key: file.key, size: file.bytes, etag: file.etag, multipart: file.multipart });
  return row;
}

/** Polls until the dataset is validated or `ms` passed; returns the latest row. */
export async function waitForValidation(deps: Pick<AppDeps, "db">, id: string, ms: number): Promise<Dataset> {
  const deadline = Date.now() + ms;
  for (;;) {
    const [row] = await deps.db.select().from(datasets).where(eq(datasets.id, id));
    if ((row.status !== "awaiting_upload" && row.status !== "validating") || Date.now() >= deadline) return row;
    await new Promise((r) => setTimeout(r, 50));
  }
}
