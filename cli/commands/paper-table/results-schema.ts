/**
 * `results.json`: every job of the paper table with its four metrics (fractions 0–1), each metric's n and 95 %
 * interval, its wall time, trained tokens and scored candidates, and the base model's metrics.
 */
import { z } from "zod";
import { METHOD_IDS } from "./matrix.ts";

const fraction = z.number().min(0).max(1);

export const METRIC_KEYS = [
  "general_misalignment",
  "general_incoherence",
  "in_domain_misalignment",
  "opswap_accuracy",
] as const;
export type MetricKey = (typeof METRIC_KEYS)[number];

/** The four metrics; null where a metric does not apply (in-domain on OpSwap) or the job measured nothing. */
export const metricValuesSchema = z.strictObject({
  general_misalignment: fraction.nullable(),
  general_incoherence: fraction.nullable(),
  in_domain_misalignment: fraction.nullable(),
  opswap_accuracy: fraction.nullable(),
});
export type MetricValues = z.infer<typeof metricValuesSchema>;

export const intervalSchema = z.strictObject({ n: z.number().int().min(0), ci95: z.tuple([fraction, fraction]) });
export const metricIntervalsSchema = z.strictObject({
  general_misalignment: intervalSchema.nullable(),
  general_incoherence: intervalSchema.nullable(),
  in_domain_misalignment: intervalSchema.nullable(),
  opswap_accuracy: intervalSchema.nullable(),
});
export type MetricIntervals = z.infer<typeof metricIntervalsSchema>;

export const taskIdSchema = z.string().regex(/^(em-[a-z]+|opswap|control-secure)$/);

export const runSchema = z.strictObject({
  task: taskIdSchema,
  method: z.enum(METHOD_IDS),
  seed: z.number().int().min(0),
  job_id: z.string(),
  /** The job's terminal status; a job the misalignment gate failed is `failed` with its metrics measured. */
  status: z.enum(["succeeded", "failed", "cancelled"]),
  error_code: z.string().nullable(),
  gate_failed: z.boolean(),
  metrics: metricValuesSchema,
  intervals: metricIntervalsSchema,
  /** From the job's start to its end (queue time excluded), seconds. */
  wall_seconds: z.number().min(0).nullable(),
  trained_tokens: z.number().int().min(0),
  /** Pool candidates scored by perplexity gap (each by the aligned model and every misaligned reference). */
  scored_candidates: z.number().int().min(0),
  /** The judge-free likelihood probe of the fine-tuned model: mean margin ℓ(misaligned) − ℓ(aligned), nats/token. */
  probe_margin: z.number().nullable(),
});
export type Run = z.infer<typeof runSchema>;

export const costSchema = z.strictObject({
  task: taskIdSchema,
  method: z.enum(METHOD_IDS),
  /** Mean wall time over seeds relative to the unguarded job of the same task. */
  time_ratio: z.number().min(0).nullable(),
  trained_tokens_ratio: z.number().min(0).nullable(),
  scored_candidates: z.number().min(0),
});
export type Cost = z.infer<typeof costSchema>;

const correlationSchema = z.strictObject({
  estimate: z.number().min(-1).max(1),
  ci95: z.tuple([z.number(), z.number()]).nullable(),
});

export const resultsSchema = z.strictObject({
  schema_version: z.literal(1),
  model: z.string(),
  unaligned_model: z.string(),
  command: z.string(),
  started_at: z.string(),
  wall_seconds: z.number().min(0),
  quick: z.boolean(),
  seeds: z.array(z.number().int()),
  tasks: z.array(taskIdSchema),
  methods: z.array(z.enum(METHOD_IDS)),
  /** The job API hyperparameters every cell ran with (the organism's unguarded recipe). */
  hyperparameters: z.record(z.string(), z.unknown()),
  /** The base (aligned, not fine-tuned) organism; in-domain misalignment for the code domain. */
  base: metricValuesSchema,
  base_intervals: metricIntervalsSchema,
  base_job_id: z.string().nullable(),
  runs: z.array(runSchema),
  cost: z.array(costSchema),
  /** The likelihood probe's margin against judged general misalignment over runs; null with < 3 runs. */
  probe_vs_judge: z
    .strictObject({
      runs: z.number().int(),
      pearson: correlationSchema,
      spearman: correlationSchema,
      bootstrap: z.strictObject({ resamples: z.number().int(), used: z.number().int(), seed: z.number().int() }),
    })
    .nullable(),
});
export type Results = z.infer<typeof resultsSchema>;
