/**
 * The runner's safeguard stage: plans the job's safeguards for its model, runs each defense's preparation
 * (in the registry's order, as reported stages), and returns the training hooks (objective, steering, data
 * schedule) plus the post-training steps. Models and pools that live elsewhere are loaded through injected
 * functions, so this module does no I/O of its own.
 */
import { permanent } from "../../core/errors.ts";
import type { LoraAdapter } from "../models/index.ts";
import type { DataSchedule } from "../training/epoch-plan.ts";
import type { SteeringSettings, TrainingHooks } from "../training/train-adapter.ts";
import type { PrepareContext, SafeguardLoaders, SafeguardStageInputs } from "./defense.ts";
import { DEFENSES, type DefenseRegistry } from "./defense-registry.ts";
import {
  inPreparationOrder,
  planSafeguards,
  SafeguardPlanError,
  type SafeguardEntry,
  type SafeguardPlan,
} from "./plan-safeguards.ts";
import { safeguardSchedule, transformedExamples } from "./training-data.ts";

export type { SafeguardProgress, SafeguardStageInputs } from "./defense.ts";

export interface PreparedSafeguards {
  readonly plan: SafeguardPlan;
  readonly hooks: TrainingHooks & { objective: NonNullable<TrainingHooks["objective"]> };
  /** Every post-training step in order (the adapter unchanged when there is none). */
  readonly afterTraining: (adapter: LoraAdapter) => Promise<{ adapter: LoraAdapter }>;
  /** What the preparation found, for `result.safeguards`: `summary` and a report per defense type. */
  readonly diagnostics: Record<string, unknown>;
}

export interface PrepareOptions {
  /** The entries to prepare (default: the job's `config.safeguards`). */
  readonly safeguards?: readonly SafeguardEntry[];
  /** The defenses available (default: the built-in registry). */
  readonly registry?: DefenseRegistry;
}

const asPermanent = (e: unknown): never => {
  if (e instanceof SafeguardPlanError) throw permanent("invalid_safeguard", e.message, e, e.param);
  throw e;
};

export async function prepareSafeguards(
  inputs: SafeguardStageInputs,
  options: PrepareOptions = {},
): Promise<PreparedSafeguards> {
  const { config, tokenizer, progress } = inputs;
  const registry = options.registry ?? DEFENSES;
  let plan: SafeguardPlan;
  try {
    plan = planSafeguards(options.safeguards ?? config.safeguards, inputs.checkpoint.config, registry);
  } catch (e) {
    return asPermanent(e);
  }
  const diagnostics: Record<string, unknown> = { summary: plan.summary };
  for (const line of plan.summary) await progress.event({ type: "safeguards.planned", message: line });

  const replaced = plan.rewritesMessages
    ? transformedExamples(
        tokenizer,
        inputs.conversations,
        inputs.examples.length,
        config.method.hyperparameters.max_seq_len,
        plan.transformTrainingMessages,
      )
    : undefined;

  const ctx: PrepareContext = { ...inputs, require: requireLoader(inputs) };
  const ordered = inPreparationOrder(plan.defenses, registry);
  let steering: SteeringSettings | undefined;
  const schedules: DataSchedule[] = [];
  for (const defense of ordered) {
    if (!defense.prepare) continue;
    const prepared = await defense.prepare(ctx);
    if (prepared.steering) {
      if (steering) throw new Error("safeguards: two defenses steer the residual stream");
      steering = prepared.steering;
    }
    if (prepared.schedule) schedules.push(prepared.schedule);
    if (prepared.report) diagnostics[defense.type] = prepared.report;
  }

  const schedule = safeguardSchedule({ replaced, schedules });
  return {
    plan,
    hooks: {
      objective: { terms: plan.lossTerms },
      ...(steering ? { steering } : {}),
      ...(schedule ? { schedule } : {}),
    },
    diagnostics,
    afterTraining: async (adapter) => {
      let current = adapter;
      for (const defense of ordered) {
        if (!defense.afterTraining) continue;
        const r = await defense.afterTraining.run(current, ctx);
        current = r.adapter;
        diagnostics[defense.type] = r.report;
      }
      return { adapter: current };
    },
  };
}

function requireLoader(loaders: SafeguardLoaders): PrepareContext["require"] {
  return (name, what, param) => {
    const loader = loaders[name];
    if (loader === undefined)
      throw permanent("safeguard_unavailable", `This runner cannot load ${what}.`, undefined, `safeguards.${param}`);
    return loader as NonNullable<SafeguardLoaders[typeof name]>;
  };
}
