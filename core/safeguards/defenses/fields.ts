import { z } from "zod";

/** Field schemas several defenses share. */

/** A model reference as the model registry resolves it: `guardtune/tiny-random`, `org/name`, `file:///…`, `s3://…`. */
export const modelRef = z
  .string()
  .min(1)
  .max(1000)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_:./\-@+]*$/, "must be a model id, file:// URL or s3:// URL");
/** An identifier of a stored adapter (a fine-tuning job id or a fine-tuned model name). */
export const adapterRef = z
  .string()
  .min(1)
  .max(300)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_:./-]*$/, "must be a job id or fine-tuned model name");
export const datasetRef = z.string().regex(/^file_[0-9a-z]{26}$/, "must be a dataset id (file_…)");
export const prompt = z.string().trim().min(1).max(4000);
export const questionList = z.array(z.string().trim().min(1).max(2000)).min(1).max(500);
export const layerIndex = z.number().int().min(0).max(1023);
