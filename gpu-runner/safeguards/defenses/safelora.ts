/**
 * `safelora`: after training, project the adapter's updates that disagree with the alignment subspace
 * V = W_aligned − W_unaligned (both models loaded through the injected `loadWeights`).
 */
import type { SafeloraSafeguard } from "../../../core/safeguards/safeguard-config.ts";
import type { Defense } from "../defense.ts";
import { applySafelora } from "../safelora-projection.ts";

export interface SafeloraPlan {
  readonly mode: "threshold" | "top_k";
  readonly threshold: number;
  readonly topK: number;
  /** null = the job's own base model. */
  readonly alignedModel: string | null;
  readonly unalignedModel: string;
}

export const safeloraDefense: Defense<SafeloraSafeguard> = {
  type: "safelora",
  plan(s) {
    const plan: SafeloraPlan = {
      mode: s.mode,
      threshold: s.threshold,
      topK: s.top_k,
      alignedModel: s.aligned_model ?? null,
      unalignedModel: s.unaligned_model,
    };
    const rule = s.mode === "threshold" ? `cos < ${s.threshold}` : `one of the ${s.top_k} lowest cosines`;
    return {
      type: "safelora",
      details: plan,
      summary:
        `safelora: after training, project weights whose update has ${rule} ` +
        `onto the alignment subspace (${s.aligned_model ?? "base model"} − ${s.unaligned_model})`,
      afterTraining: {
        stage: "safelora",
        async run(adapter, ctx) {
          const load = ctx.require("loadWeights", "other models", "safelora");
          const aligned = plan.alignedModel === null ? ctx.checkpoint.weights : await load(plan.alignedModel);
          const unaligned = await load(plan.unalignedModel);
          const r = await ctx.progress.stage(
            "safelora",
            `Projecting the adapter with SafeLoRA (${plan.mode === "threshold" ? `threshold ${plan.threshold}` : `top ${plan.topK}`})`,
            async () =>
              applySafelora(
                adapter,
                (n) => aligned.get(n),
                (n) => unaligned.get(n),
                plan,
              ),
            (x) => ({ projected: x.projectedCount, weights: x.layers.length }),
          );
          const report = {
            mode: plan.mode,
            threshold: plan.threshold,
            top_k: plan.topK,
            projected: r.projectedCount,
            layers: r.layers.map((l) => ({
              layer: l.layer,
              projection: l.projection,
              similarity: Number.isFinite(l.similarity) ? l.similarity : null,
              projected: l.projected,
            })),
          };
          return { adapter: r.adapter, report };
        },
      },
    };
  },
};
