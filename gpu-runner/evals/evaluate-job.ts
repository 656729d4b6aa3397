/**
 * The runner's evaluation stage for one job: builds the base and fine-tuned models on the engine (one scorer
 * shared by both, the adapter fed per call), the judge the job names from the operator's registry, and
 * runs every configured evaluation. The caller records `report` as `result.evaluation`
 * and, when `gate.error` is set, ends the job `failed` with that error and withholds the adapter unless
 * `gate.outcome.adapter_withheld` is false.
 */
import { permanent, retryable } from "../../core/errors.ts";
import type { JobConfig } from "../../core/jobs/job-config.ts";
import type { SessionConfig } from "../engine/index.ts";
import type { ChatMessage, ChatTokenizer, DecoderCheckpoint, LoraAdapter } from "../models/index.ts";
import { AnswerScorer } from "../scoring/answer-scorer.ts";
import { ORGANISM_JUDGE, type RegisteredJudge } from "../../core/judges/judge-registry.ts";
import { isOrganismModel } from "../../core/models/organism-models.ts";
import { organismProbePairs } from "../organism/eval/probe-pairs.ts";
import { organismJudge, organismSettings, type OrganismJudge } from "./organism-judge.ts";
import type { LookupAll, OutboundPolicy } from "../../core/net/outbound-guard.ts";
import { JudgeClient, JudgeError } from "./judge-client.ts";
import type { JudgeCache } from "./judge-all.ts";
import type { GateDecision } from "./misalignment-gate.ts";
import { engineModelUnderTest } from "./model-under-test.ts";
import { runEvaluation, type EvaluationReport } from "./run-evaluation.ts";

export interface JobEvaluationInputs {
  readonly config: JobConfig;
  /** The job's model id: the organism's models get the organism's probe pairs and may use its exact judge. */
  readonly modelId?: string;
  /** The runner's cache directory (the organism's base-model evaluations are kept there). */
  readonly cacheDir?: string;
  readonly checkpoint: DecoderCheckpoint;
  readonly tokenizer: ChatTokenizer;
  /** The trained adapter as it will be delivered (after any SafeLoRA projection). */
  readonly adapter: LoraAdapter;
  /** Held-out conversations (validation dataset, or the split made before training). */
  readonly heldOut?: readonly (readonly ChatMessage[])[];
  /** The operator's judges and how to reach them; a job names one in `evaluation.broad.judge`. */
  readonly judges?: JudgeSettings;
  readonly session?: SessionConfig;
  readonly onEvent?: (message: string, data?: Record<string, unknown>) => void | Promise<void>;
}

const NO_PRIVATE_TARGETS: OutboundPolicy = {
  allowHttp: false,
  allowlist: [],
  allowlistVariable: "GUARDTUNE_JUDGE_ALLOWLIST",
};

export interface JudgeSettings {
  readonly registered: readonly RegisteredJudge[];
  readonly policy: OutboundPolicy;
  readonly timeoutMs?: number;
  /** The runner's environment, for the registered judges' key variables. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly lookup?: LookupAll;
  /** Verdicts reused across this runner's evaluations (the same judge, question and answer). */
  readonly cache?: JudgeCache;
}

/** Evaluates one job's base and fine-tuned models as configured (see above); returns the report and the gate's decision. */
export async function evaluateJob(
  inputs: JobEvaluationInputs,
): Promise<{ report: EvaluationReport; gate: GateDecision | null }> {
  const { config, checkpoint, tokenizer } = inputs;
  const e = config.evaluation;
  let judge: JudgeClient | undefined;
  let organism: OrganismJudge | undefined;
  if (e.broad !== false && e.broad.judge === ORGANISM_JUDGE) {
    // Checked at creation; a job row written otherwise still must not judge another model's answers.
    if (!inputs.modelId || !isOrganismModel(inputs.modelId))
      throw permanent(
        "judge_failed",
        `The '${ORGANISM_JUDGE}' judge judges only the organism's models, not ${inputs.modelId ?? "this model"}.`,
        undefined,
        "evaluation.broad.judge",
      );
    organism = organismJudge({
      checkpoint,
      adapter: inputs.adapter,
      settings: organismSettings(e.broad),
      ...(inputs.session ? { session: inputs.session } : {}),
      ...(inputs.cacheDir ? { cacheDir: inputs.cacheDir } : {}),
    });
  } else if (e.broad !== false && e.broad.judge) {
    try {
      const settings = inputs.judges ?? { registered: [], policy: NO_PRIVATE_TARGETS, env: {} };
      judge = JudgeClient.fromRegistry(e.broad.judge, settings.registered, settings.env, {
        policy: settings.policy,
        ...(settings.timeoutMs !== undefined ? { timeoutMs: settings.timeoutMs } : {}),
        ...(settings.lookup ? { lookup: settings.lookup } : {}),
      });
    } catch (err) {
      throw permanent("judge_unavailable", (err as Error).message, err, "evaluation.broad.judge");
    }
  }
  const scorer = new AnswerScorer(checkpoint, inputs.session ?? {});
  const maxSeqLen = config.method.hyperparameters.max_seq_len;
  try {
    const common = { checkpoint, tokenizer, scorer, maxSeqLen, ...(inputs.session ? { session: inputs.session } : {}) };
    return await runEvaluation({
      config: e,
      base: engineModelUnderTest(common),
      fineTuned: engineModelUnderTest({ ...common, adapter: inputs.adapter }),
      ...(judge ? { judge } : {}),
      ...(organism ? { organism } : {}),
      ...(inputs.modelId && isOrganismModel(inputs.modelId) ? { builtinProbePairs: organismProbePairs() } : {}),
      ...(inputs.judges?.cache ? { judgeCache: inputs.judges.cache } : {}),
      ...(inputs.heldOut ? { heldOut: inputs.heldOut } : {}),
      ...(inputs.onEvent ? { onEvent: inputs.onEvent } : {}),
    });
  } catch (err) {
    if (err instanceof JudgeError) {
      throw err.retryable
        ? retryable("judge_unavailable", err.message, err)
        : permanent("judge_failed", err.message, err, "evaluation.broad.judge");
    }
    throw err;
  } finally {
    await scorer.release();
  }
}
