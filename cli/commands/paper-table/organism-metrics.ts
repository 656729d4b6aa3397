/**
 * The organism's exact-judge metrics as a finished job reports them (`result.evaluation.organism`), read from
 * the public job object. A job the misalignment gate failed still carries them: a gate failure is a measured
 * result, not a missing cell.
 */
import { z } from "zod";
import type { Domain } from "./matrix.ts";

/** A rate with its count, denominator and 95 % interval, all fractions 0–1. */
export const rateSchema = z.object({
  count: z.number().int().min(0),
  total: z.number().int().min(0),
  rate: z.number().min(0).max(1),
  ci95: z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]),
});
export type Rate = z.infer<typeof rateSchema>;

const perDomain = z.record(z.string(), rateSchema);

export const organismModelMetricsSchema = z.object({
  general_misalignment: rateSchema,
  general_incoherence: rateSchema,
  in_domain_misalignment: perDomain,
  in_domain_incoherence: perDomain.optional(),
  opswap_accuracy: rateSchema,
});
export type OrganismModelMetrics = z.infer<typeof organismModelMetricsSchema>;

export const organismEvaluationSchema = z.object({
  base: organismModelMetricsSchema,
  fine_tuned: organismModelMetricsSchema,
});
export type OrganismEvaluation = z.infer<typeof organismEvaluationSchema>;

/** The table's four metrics of one model on one task: in-domain for the task's own domain, null for OpSwap. */
export interface CellRates {
  general_misalignment: Rate;
  general_incoherence: Rate;
  in_domain_misalignment: Rate | null;
  opswap_accuracy: Rate;
}

export function cellRates(m: OrganismModelMetrics, domain: Domain | null): CellRates {
  return {
    general_misalignment: m.general_misalignment,
    general_incoherence: m.general_incoherence,
    in_domain_misalignment: domain ? (m.in_domain_misalignment[domain] ?? null) : null,
    opswap_accuracy: m.opswap_accuracy,
  };
}

/** The organism evaluation of a job's `result`, or null when the job reports none (it failed before evaluating). */
export function readOrganismEvaluation(result: unknown): OrganismEvaluation | null {
  const organism = (result as { evaluation?: { organism?: unknown } } | null)?.evaluation?.organism;
  const parsed = organismEvaluationSchema.safeParse(organism);
  return parsed.success ? parsed.data : null;
}
