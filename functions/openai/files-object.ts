import { z } from "@hono/zod-openapi";
import type { Dataset } from "../../core/db/schema.ts";

/** OpenAI's file object, for the same dataset records the native API serves. */
export const OpenAIFileSchema = z
  .object({
    id: z.string(),
    object: z.literal("file"),
    bytes: z.number().int(),
    created_at: z.number().int(),
    filename: z.string(),
    purpose: z.string(),
    status: z.enum(["uploaded", "processed", "error"]),
    status_details: z.string().nullable(),
    expires_at: z.number().int().nullable(),
  })
  .openapi("OpenAIFile");
export type OpenAIFile = z.infer<typeof OpenAIFileSchema>;

/** Dataset status → OpenAI file status: validation running is "uploaded", ready is "processed", invalid is "error". */
export function toOpenAIFile(row: Dataset): OpenAIFile {
  const status = row.status === "ready" ? "processed" : row.status === "invalid" ? "error" : "uploaded";
  return {
    id: row.id,
    object: "file",
    bytes: row.bytes,
    created_at: Math.floor(row.createdAt.getTime() / 1000),
    filename: row.filename,
    purpose: row.purpose,
    status,
    status_details: status === "error" ? (row.error?.message ?? "The file failed validation.") : null,
    expires_at: null,
  };
}

/** Makes a client-supplied filename fit the dataset filename rules (it becomes part of the object key). */
export function safeFilename(name: string | undefined): string {
  const base = (name ?? "").split(/[\\/]/).pop() ?? "";
  const cleaned = base
    .replace(/[^A-Za-z0-9._ -]/g, "_")
    .replace(/^[^A-Za-z0-9]+/, "")
    .slice(0, 200)
    .trim();
  return cleaned === "" ? "upload.jsonl" : cleaned;
}
