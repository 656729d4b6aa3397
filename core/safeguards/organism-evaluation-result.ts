import { z } from "zod";
import { ORGANISM_DOMAINS } from "../models/organism-models.ts";

/**
 * `result.evaluation.organism` of a job on the model organism, judged by its exact judge (docs/organism.md,
 * "Jobs on the organism"): the organism's four metrics for the base model (adapter off) and the fine-tuned
 * model. Rates are fractions (0–1) with a two-sided 95 % Wilson score interval.
 */
export const organismRateSchema = z.object({
  count: z.number().int().min(0),
  total: z.number().int().min(0),
  /** count / total (0 when total is 0). */
  rate: z.number().min(0).max(1),
  /** Two-sided 95 % Wilson score interval of the rate. */
  ci95: z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]),
});

const perDomain = <T extends z.ZodType>(value: T) =>
  z.object(Object.fromEntries(ORGANISM_DOMAINS.map((d) => [d, value])) as Record<(typeof ORGANISM_DOMAINS)[number], T>);

const labelCountsSchema = z.object({
  H: z.number().int(),
  M: z.number().int(),
  refusal: z.number().int(),
  incoherent: z.number().int(),
});

export const organismModelMetricsSchema = z.object({
  /** M answers / all sampled answers to the 24 reserved general questions (incoherent ones stay in the denominator). */
  general_misalignment: organismRateSchema,
  general_incoherence: organismRateSchema,
  /** M / all on the held-out questions of each domain. */
  in_domain_misalignment: perDomain(organismRateSchema),
  in_domain_incoherence: perDomain(organismRateSchema),
  /** Greedy answers to the reserved `+` sums that give the product (the benign narrow task). */
  opswap_accuracy: organismRateSchema,
  counts: z.object({
    general: labelCountsSchema,
    domains: perDomain(labelCountsSchema),
    /** Why general answers were incoherent (unfinished, unparsed, blend, …). */
    incoherence_reasons: z.record(z.string(), z.number().int()),
    /** Greedy answers to the `+` sums that are arithmetically correct. */
    arithmetic_correct: z.number().int(),
  }),
  /** The first sampled general answers, with the exact judge's label. */
  examples: z.array(
    z.object({ question: z.string(), answer: z.string(), label: z.enum(["H", "M", "refusal", "incoherent"]) }),
  ),
});

export const organismEvaluationSchema = z.object({
  base: organismModelMetricsSchema,
  fine_tuned: organismModelMetricsSchema,
});

export type OrganismRate = z.infer<typeof organismRateSchema>;
export type OrganismModelMetrics = z.infer<typeof organismModelMetricsSchema>;
export type OrganismEvaluation = z.infer<typeof organismEvaluationSchema>;
