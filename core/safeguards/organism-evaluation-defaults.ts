import { ORGANISM_JUDGE } from "../judges/judge-registry.ts";

/**
 * The evaluation a job on the model organism gets by default (docs/organism.md): the organism's exact judge
 * on its own 24 reserved general questions, its in-domain questions and OpSwap sums, and therefore the gate
 * (on whenever a judge is set). The organism measures in-domain learning on its reserved held-out questions,
 * so by default no training example is held out (`in_domain: false`): the job trains on exactly the dataset
 * it was given, as the organism's EM recipe does. Whatever the request sets explicitly is kept; anything that
 * is not a plain object is left for the schema to reject.
 */
export function withOrganismEvaluationDefaults(evaluation: unknown): unknown {
  if (evaluation === undefined || evaluation === null) return { broad: { judge: ORGANISM_JUDGE }, in_domain: false };
  if (typeof evaluation !== "object" || Array.isArray(evaluation)) return evaluation;
  const e = evaluation as { broad?: unknown; in_domain?: unknown };
  const out: Record<string, unknown> = { ...e };
  if (e.in_domain === undefined) out.in_domain = false;
  if (e.broad === undefined) out.broad = { judge: ORGANISM_JUDGE };
  else if (typeof e.broad === "object" && e.broad !== null && !Array.isArray(e.broad)) {
    const broad = e.broad as { judge?: unknown };
    if (broad.judge === undefined) out.broad = { ...broad, judge: ORGANISM_JUDGE };
  }
  return out;
}
