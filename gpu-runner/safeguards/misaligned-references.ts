/**
 * The misaligned references of perplexity-gap selection, from what the job asked for:
 * - `kit` (default): the base model's reference kit (adapters trained unguarded on EM datasets, the job's
 *   `held_out_domain` left out) — Interleaving+/++ as the paper does it; with no kit, the forgetting gap below;
 * - `builtin:<name>`: a built-in kit;
 * - stored adapter ids: an ensemble of the tenant's own adapters;
 * - `forgetting_gap` (formerly `auto`): a short unguarded LoRA run on the job's own data. That model has only
 *   drifted from the base on the job's task, so the score ranks pool answers by what the job's fine-tuning
 *   forgets, not by what an emergently misaligned model finds unlikely: a heuristic, and the job says so in a
 *   `warning` event.
 * With several references the score averages their answer NLLs (`perplexity-gap.ts`).
 */
import type { InterleaveSafeguard } from "../../core/safeguards/safeguard-config.ts";
import type { LoraAdapter } from "../models/index.ts";
import type { PrepareContext } from "./defense.ts";
import { trainMisalignedReference } from "./misaligned-reference.ts";

export interface ChosenReferences {
  readonly adapters: readonly LoraAdapter[];
  /** For the job's report: where the references came from. */
  readonly report: Record<string, unknown>;
}

const HOW_TO_KIT =
  "For Interleaving+ as the paper defines it, score with a reference kit for the base model: adapters trained " +
  "unguarded on emergent-misalignment datasets (an operator builds one with POST /v1/reference_kits), or name " +
  "stored adapters in misaligned_references.";

export async function chooseMisalignedReferences(
  s: InterleaveSafeguard,
  ctx: PrepareContext,
): Promise<ChosenReferences> {
  const which = s.misaligned_references;
  if (Array.isArray(which)) {
    const load = ctx.require("loadAdapter", "stored adapters", "interleave.misaligned_references");
    return { adapters: await Promise.all(which.map((id) => load(id))), report: { source: "adapters", ids: which } };
  }
  let why = `misaligned_references is "${which}"`;
  if (which === "kit" || which.startsWith("builtin:")) {
    const load =
      which === "kit"
        ? ctx.loadReferenceKit
        : ctx.require("loadReferenceKit", "built-in reference kits", "interleave.misaligned_references");
    const kit = load ? await load(which, s.held_out_domain) : null;
    if (kit && kit.adapters.length > 0) {
      const domains = kit.adapters.map((a) => a.domain);
      await ctx.progress.event({
        type: "safeguards.references",
        message:
          `Scoring with the reference kit '${kit.name}': ${kit.adapters.length} misaligned adapter${kit.adapters.length === 1 ? "" : "s"} (${domains.join(", ")})` +
          (kit.leftOut.length > 0 ? `; left out the job's own domain (${kit.leftOut.join(", ")})` : ""),
        data: {
          kit: kit.name,
          source: kit.source,
          adapters: kit.adapters.map((a) => a.id),
          domains,
          left_out: kit.leftOut,
        },
      });
      const report = { source: "kit", kit: kit.name, domains, left_out: kit.leftOut };
      return { adapters: kit.adapters.map((a) => a.adapter), report };
    }
    if (which !== "kit") {
      throw new RangeError(
        `the reference kit '${which}' has no adapter outside the held-out domain '${s.held_out_domain}'`,
      );
    }
    why = kit
      ? `the base model's reference kit '${kit.name}' has no adapter outside the held-out domain '${s.held_out_domain}'`
      : "the base model has no reference kit";
  }
  await ctx.progress.event({
    type: "safeguards.warning",
    level: "warn",
    message:
      `Perplexity-gap selection uses the forgetting-gap heuristic (${why}): its misaligned reference is a short ` +
      `unguarded run on this job's own data, which measures what fine-tuning forgets, not emergent misalignment. ` +
      `This is not Interleaving+. ${HOW_TO_KIT}`,
    data: { references: "forgetting_gap", reason: why },
  });
  const adapter = await trainForgettingGap(s, ctx);
  return { adapters: [adapter], report: { source: "forgetting_gap", reason: why, steps: s.reference_steps } };
}

async function trainForgettingGap(s: InterleaveSafeguard, ctx: PrepareContext): Promise<LoraAdapter> {
  const hp = ctx.config.method.hyperparameters;
  const ref = await ctx.progress.stage(
    "misaligned_reference",
    `Training the forgetting-gap reference (${s.reference_steps} unguarded steps on the job's data)`,
    () =>
      trainMisalignedReference({
        checkpoint: ctx.checkpoint,
        tokenizer: ctx.tokenizer,
        lora: ctx.lora,
        steps: s.reference_steps,
        session: ctx.session,
        examples: ctx.examples,
        hyperparameters: {
          epochs: hp.n_epochs,
          batchSize: hp.batch_size,
          lr: hp.learning_rate,
          warmupSteps: hp.warmup_steps,
          maxSeqLen: hp.max_seq_len,
          seed: ctx.config.seed,
        },
        shouldStop: ctx.shouldStop,
      }),
    (r) => ({ steps: r.steps, final_loss: r.losses.at(-1) ?? null, seconds: r.seconds }),
  );
  return ref.adapter;
}
