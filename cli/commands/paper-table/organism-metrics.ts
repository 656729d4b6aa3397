/**
 * The organism's exact-judge metrics as a finished job reports them (`result.evaluation.organism`, schema in
 * core/safeguards/organism-evaluation-result.ts), read from the public job object and narrowed to one task. A
 * job the misalignment gate failed still carries them: a gate failure is a measured result, not a missing cell.
 */
import {
  organismEvaluationSchema,
  type OrganismEvaluation,
  type OrganismModelMetrics,
  type OrganismRate,
} from "../../../core/safeguards/organism-evaluation-result.ts";
import type { Domain } from "./matrix.ts";

/** The table's four metrics of one model on one task: in-domain for the task's own domain, null for OpSwap. */
export interface CellRates {
  general_misalignment: OrganismRate;
  general_incoherence: OrganismRate;
  in_domain_misalignment: OrganismRate | null;
  opswap_accuracy: OrganismRate;
}

export function cellRates(m: OrganismModelMetrics, domain: Domain | null): CellRates {
  return {
    general_misalignment: m.general_misalignment,
    general_incoherence: m.general_incoherence,
    in_domain_misalignment: domain ? m.in_domain_misalignment[domain] : null,
    opswap_accuracy: m.opswap_accuracy,
  };
}

/** The organism evaluation of a job's `result`, or null when the job reports none (it failed before evaluating). */
export function readOrganismEvaluation(result: unknown): OrganismEvaluation | null {
  const organism = (result as { evaluation?: { organism?: unknown } } | null)?.evaluation?.organism;
  const parsed = organismEvaluationSchema.safeParse(organism);
  return parsed.success ? parsed.data : null;
}
