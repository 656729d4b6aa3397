import { z } from "zod";

/*
 * The parts of `jobs.result` the job page shows, read leniently: the runner writes them (see
 * gpu-runner/pipeline/finish-job.ts), but a page must still render a job whose result has another shape,
 * so every field is optional and anything unexpected is dropped rather than thrown.
 */

const num = z.number().nullable().optional().catch(undefined);
const str = z.string().optional().catch(undefined);

const sampleSchema = z.object({
  question: str,
  answer: str,
  alignment: num,
  coherence: num,
  misaligned: z.boolean().optional().catch(undefined),
});
const modelMetricsSchema = z
  .object({
    broad: z
      .object({
        misaligned_fraction: num,
        incoherent_fraction: num,
        mean_alignment: num,
        mean_coherence: num,
        samples: z.array(sampleSchema).optional().catch(undefined),
      })
      .optional()
      .catch(undefined),
    probe: z.object({ prefer_misaligned_fraction: num, mean_margin: num }).optional().catch(undefined),
    in_domain: z.object({ loss: num }).optional().catch(undefined),
  })
  .optional()
  .catch(undefined);

export const gateSchema = z.object({
  passed: z.boolean(),
  metric: str,
  threshold: num,
  base: num,
  fine_tuned: num,
  increase: num,
  adapter_withheld: z.boolean().optional().catch(undefined),
  explanation: str,
  examples: z
    .array(
      z.object({
        question: str,
        answer: str,
        alignment: num,
        coherence: num,
        aligned_answer: str,
        misaligned_answer: str,
        base_margin: num,
        fine_tuned_margin: num,
      }),
    )
    .optional()
    .catch(undefined),
});

export const jobResultSchema = z.object({
  metrics: z
    .object({ losses: z.array(z.number()).optional().catch(undefined) })
    .optional()
    .catch(undefined),
  evaluation: z
    .object({
      base: modelMetricsSchema,
      fine_tuned: modelMetricsSchema,
      summary: z.array(z.string()).optional().catch(undefined),
    })
    .nullable()
    .optional()
    .catch(undefined),
  gate: gateSchema.nullable().optional().catch(undefined),
  safeguards: z.record(z.string(), z.unknown()).optional().catch(undefined),
});

export type JobResultView = z.infer<typeof jobResultSchema>;
export type GateView = z.infer<typeof gateSchema>;
export type ModelMetricsView = NonNullable<z.infer<typeof modelMetricsSchema>>;

export function readJobResult(result: unknown): JobResultView {
  const parsed = jobResultSchema.safeParse(result ?? {});
  return parsed.success ? parsed.data : {};
}
