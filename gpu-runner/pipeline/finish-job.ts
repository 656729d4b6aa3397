import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import type { AwsResources } from "../../core/aws/resources.ts";
import type { Database } from "../../core/db/database.ts";
import { jobs, type Job } from "../../core/db/schema.ts";
import { transitionJob } from "../../core/jobs/state-machine.ts";
import type { GateDecision } from "../evals/misalignment-gate.ts";
import { ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE, savePeftAdapter, type LoraAdapter } from "../models/index.ts";
import { jsonFile, recordArtifacts, uploadArtifacts, type ArtifactFile, type StoredArtifact } from "./artifacts.ts";
import { jsonSafe } from "./json-safe.ts";

export interface MetricsReport {
  steps: number;
  final_loss: number;
  first_loss: number;
  min_loss: number;
  losses: number[];
  trained_tokens: number;
  examples: number;
  truncated: number;
}

export interface JobOutcome {
  adapter: LoraAdapter;
  metrics: MetricsReport;
  evaluation: Record<string, unknown> | null;
  gate: GateDecision | null;
  safeguards: Record<string, unknown>;
}

/**
 * Uploads the adapter (PEFT files), `metrics.json` and `evaluation.json`. A failed misalignment gate
 * withholds the adapter unless the job asked for it anyway.
 */
export async function uploadJobOutcome(
  aws: Pick<AwsResources, "s3" | "bucket">,
  job: Job,
  outcome: JobOutcome,
): Promise<UploadedOutcome> {
  const gateFailed = outcome.gate?.error !== undefined;
  const withheld = gateFailed && outcome.gate!.outcome.adapter_withheld;
  const dir = await mkdtemp(path.join(tmpdir(), "guardtune-adapter-"));
  let files: ArtifactFile[];
  try {
    await savePeftAdapter(dir, outcome.adapter);
    files = [
      {
        kind: "adapter",
        filename: ADAPTER_CONFIG_FILE,
        body: await readFile(path.join(dir, ADAPTER_CONFIG_FILE)),
        contentType: "application/json",
        withheld,
      },
      {
        kind: "adapter",
        filename: ADAPTER_WEIGHTS_FILE,
        body: await readFile(path.join(dir, ADAPTER_WEIGHTS_FILE)),
        contentType: "application/octet-stream",
        withheld,
      },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const evaluationReport = outcome.evaluation ?? { skipped: "every evaluation section of the job is switched off" };
  files.push(
    jsonFile("metrics", "metrics.json", outcome.metrics),
    jsonFile("evaluation", "evaluation.json", { ...evaluationReport, gate: outcome.gate?.outcome ?? null }),
  );
  const stored = await uploadArtifacts(aws, job, files);
  const weights = stored.find((s) => s.filename === ADAPTER_WEIGHTS_FILE)!;
  const result = jsonSafe({
    adapter: {
      format: "peft",
      files: [ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE],
      bytes: weights.bytes,
      sha256: weights.sha256,
      withheld,
    },
    metrics: outcome.metrics,
    evaluation: outcome.evaluation,
    gate: outcome.gate?.outcome ?? null,
    safeguards: outcome.safeguards,
  });
  return { stored, result, outcome };
}

export interface UploadedOutcome {
  stored: StoredArtifact[];
  result: Record<string, unknown>;
  outcome: JobOutcome;
}

/**
 * Records the artifacts, the result, `trained_tokens` and the terminal state in one transaction (the state
 * machine adds the event and the webhook outbox row). A failed gate ends the job `failed` with its evidence.
 */
export async function recordJobOutcome(
  db: Database,
  job: Job,
  workerId: string,
  uploaded: UploadedOutcome,
  fineTunedModel: string,
): Promise<void> {
  const { stored, result, outcome } = uploaded;
  const gateFailed = outcome.gate?.error !== undefined;
  const m = outcome.metrics;
  await db.transaction(async (tx) => {
    await recordArtifacts(tx, job.id, stored);
    const common = { extraWhere: sql`${jobs.leaseOwner} = ${workerId}` };
    if (gateFailed) {
      const error = outcome.gate!.error!;
      await transitionJob(tx, job.id, {
        ...common,
        from: "running",
        to: "failed",
        event: {
          type: "job.failed",
          level: "error",
          message: error.message,
          data: jsonSafe({ code: error.code, gate: outcome.gate!.outcome }),
        },
        set: {
          result,
          trainedTokens: m.trained_tokens,
          error: { code: error.code, message: error.message, param: "evaluation.gate" },
          estimatedFinish: null,
        },
      });
      return;
    }
    await transitionJob(tx, job.id, {
      ...common,
      from: "running",
      to: "succeeded",
      event: {
        type: "job.succeeded",
        message: `Fine-tuning finished after ${m.steps} steps (final loss ${m.final_loss.toFixed(4)}).`,
      },
      set: { result, trainedTokens: m.trained_tokens, fineTunedModel, estimatedFinish: null },
    });
  });
}

export function metricsReport(
  losses: readonly number[],
  trainedTokens: number,
  steps: number,
  examples: number,
  truncated: number,
): MetricsReport {
  return {
    steps,
    final_loss: losses.at(-1) ?? Number.NaN,
    first_loss: losses[0] ?? Number.NaN,
    min_loss: losses.length > 0 ? Math.min(...losses) : Number.NaN,
    losses: [...losses],
    trained_tokens: trainedTokens,
    examples,
    truncated,
  };
}
