/**
 * `interleave`: before training, choose |D_safe| = ratio·|D_fine| general examples from the pool (random, or
 * by the perplexity gap between the aligned model and misaligned references); during training, spread them
 * evenly through every epoch.
 */
import { mayTrainForgettingGap } from "../../../core/safeguards/defenses/interleave.ts";
import { poolUse, poolUseAdvice } from "../../../core/safeguards/interleave/pool-use.ts";
import type { InterleaveSafeguard } from "../../../core/safeguards/safeguard-config.ts";
import { BUILTIN_POOLS, isBuiltinPool } from "../../../core/safeguards/interleave/builtin-pools.ts";
import { loadBuiltinPool, refusalFilterFor } from "../../builtin-data/builtin-pools.ts";
import { AnswerScorer } from "../../scoring/answer-scorer.ts";
import type { TrainingExample } from "../../training/training-batch.ts";
import type { Defense, PrepareContext } from "../defense.ts";
import { interleaveCount, interleaveSchedule } from "../interleave-schedule.ts";
import {
  selectInterleaveData,
  type NllScorer,
  type SelectionReport,
  type SelectionResult,
} from "../interleave-selection.ts";
import { chooseMisalignedReferences } from "../misaligned-references.ts";
import type { PoolItem } from "../pool-item.ts";
import { poolNllScorer } from "../pool-scorer.ts";
import { encodeForTraining } from "../training-data.ts";

export const interleaveDefense: Defense<InterleaveSafeguard> = {
  type: "interleave",
  plan(s) {
    // `kit` trains a forgetting-gap reference only when the model has no kit: known once `prepare` looks
    const trainsReference = s.selection !== "random" && mayTrainForgettingGap(s.misaligned_references);
    return {
      type: "interleave",
      details: { count: (fineCount: number) => interleaveCount(fineCount, s.ratio) },
      summary: `interleave: ${s.ratio * 100}% extra examples from the ${isBuiltinPool(s.pool) ? BUILTIN_POOLS[s.pool].description.replace(/^the /, "") : `${s.pool} pool`}, selected by ${s.selection}`,
      preparationStages: trainsReference ? ["misaligned_reference", "interleave_selection"] : ["interleave_selection"],
      prepare: (ctx) => prepareInterleave(s, ctx),
    };
  },
};

async function prepareInterleave(s: InterleaveSafeguard, ctx: PrepareContext) {
  const { config, tokenizer, progress } = ctx;
  const hp = config.method.hyperparameters;
  const pool = isBuiltinPool(s.pool)
    ? await loadBuiltinPool(s.pool)
    : await ctx.require("loadPool", "pool datasets", "interleave.pool")(s.pool);
  const fineCount = ctx.examples.length;
  const common = {
    pool,
    count: interleaveCount(fineCount, s.ratio),
    seed: config.seed,
    epsilon: s.epsilon,
    candidatesCap: s.candidates,
    isRefusal: refusalFilterFor(s.pool),
  };
  let selected: SelectionResult;
  let referencesReport: Record<string, unknown> | undefined;
  if (s.selection === "random") {
    selected = await selectInterleaveData({ ...common, selection: "random" });
  } else {
    const references = await chooseMisalignedReferences(s, ctx);
    referencesReport = references.report;
    const scorer = new AnswerScorer(ctx.checkpoint, ctx.session ?? {});
    try {
      const scorers: NllScorer[] = references.adapters.map((adapter) =>
        poolNllScorer(scorer, tokenizer, { adapter, maxSeqLen: hp.max_seq_len }),
      );
      selected = await progress.stage(
        "interleave_selection",
        `Scoring ${Math.min(pool.length, s.candidates ?? pool.length)} pool candidates by perplexity gap`,
        () =>
          selectInterleaveData({
            ...common,
            selection: s.selection,
            aligned: poolNllScorer(scorer, tokenizer, { maxSeqLen: hp.max_seq_len }),
            references: scorers,
            onScored: (e) =>
              progress.event({
                type: "safeguards.scoring",
                message: `Scored ${e.candidates} candidates with the ${modelLabel(e.model)} in ${e.seconds.toFixed(1)} s`,
                data: {
                  model: e.model,
                  candidates: e.candidates,
                  seconds: e.seconds,
                  candidates_per_second: e.candidates / Math.max(e.seconds, 1e-9),
                },
              }),
          }),
        (r) => ({
          candidates: r.report.candidates,
          selected: r.report.selected,
          refusals_dropped: r.report.refusalsDropped,
        }),
      );
    } finally {
      await scorer.release();
    }
  }
  const { items, report } = selected;
  if (s.selection !== "random") await warnOnPoolUse(s, report, ctx);
  const safe = items
    .map((it: PoolItem) => encodeForTraining(tokenizer, it.messages, hp.max_seq_len))
    .filter((e): e is TrainingExample => e !== null);
  await progress.event({
    type: "safeguards.interleave",
    message: `Interleaving ${safe.length} general examples (${report.distinct} distinct) among ${fineCount} training examples per epoch`,
    data: { ...report },
  });
  return {
    ...(safe.length > 0 ? { schedule: interleaveSchedule(safe, config.seed) } : {}),
    report: { ...report, pool: s.pool, ...(referencesReport ? { misaligned_references: referencesReport } : {}) },
  };
}

/** A warning when the selection takes half the usable candidates (after the cap and the refusal filter) or more. */
async function warnOnPoolUse(s: InterleaveSafeguard, report: SelectionReport, ctx: PrepareContext): Promise<void> {
  const use = poolUse(report.selected, report.candidates - report.refusalsDropped);
  if (use.verdict === "ok") return;
  await ctx.progress.event({
    type: "safeguards.warning",
    level: "warn",
    message: `Interleave pool too small for a meaningful selection: ${poolUseAdvice(use, s.ratio)}`,
    data: { selected: use.selected, usable: use.usable, fraction: use.fraction, pool: s.pool },
  });
}

/** `aligned` → "aligned model", `misaligned_0` → "misaligned reference 1" (for event messages). */
function modelLabel(model: string): string {
  const ref = /^misaligned_(\d+)$/.exec(model);
  return ref ? `misaligned reference ${Number(ref[1]) + 1}` : `${model} model`;
}
