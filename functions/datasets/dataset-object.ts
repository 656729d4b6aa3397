import type { Dataset, DatasetPurpose, DatasetStatus } from "../../core/db/schema.ts";
import type { DatasetReport } from "./dataset-report.ts";

/** The public dataset object of the native API and of `dataset.*` webhook events (a type: JSON-assignable). */
export type DatasetObject = {
  id: string;
  object: "dataset";
  filename: string;
  purpose: DatasetPurpose;
  status: Exclude<DatasetStatus, "deleted"> | "deleted";
  bytes: number;
  sha256: string | null;
  created_at: number;
  updated_at: number;
  validated_at: number | null;
  n_examples: number | null;
  /** Why the dataset is invalid when it is not a line-level problem (size or checksum mismatch). */
  error: { code: string; message: string } | null;
  report: DatasetReport | null;
};

const unix = (d: Date) => Math.floor(d.getTime() / 1000);

/** The API's dataset object for a stored dataset row. */
export function toDatasetObject(row: Dataset): DatasetObject {
  return {
    id: row.id,
    object: "dataset",
    filename: row.filename,
    purpose: row.purpose,
    status: row.status,
    bytes: row.bytes,
    sha256: row.sha256 ?? row.contentSha256 ?? null,
    created_at: unix(row.createdAt),
    updated_at: unix(row.updatedAt),
    validated_at: row.validatedAt ? unix(row.validatedAt) : null,
    n_examples: row.nExamples ?? null,
    error: row.error ?? null,
    // The report column is written only by the validator, always with this shape.
    report: (row.report as DatasetReport | null) ?? null,
  };
}

/** Where the dataset's bytes live: `tenants/<tenant>/datasets/<id>/<filename>`. */
export function datasetObjectKey(tenantId: string, datasetId: string, filename: string): string {
  return `tenants/${tenantId}/datasets/${datasetId}/${filename}`;
}

/** The dataset id inside an object key made by `datasetObjectKey`, or undefined for any other key. */
export function datasetIdFromObjectKey(key: string): string | undefined {
  return /^tenants\/[^/]+\/datasets\/([^/]+)\/[^/]+$/.exec(key)?.[1];
}
