import type { Database } from "../../core/db/database.ts";
import { artifacts, jobEvents, jobs, tenants, type JobStatus, type NewJob } from "../../core/db/schema.ts";
import { ID_PREFIX, newId } from "../../core/ids.ts";
import { buildJobConfig } from "../../core/jobs/job-config.ts";
import { insertDataset } from "../jobs/job-fixtures.ts";
import { round, seededEvaluation } from "./seed-evaluation.ts";
import { seedWebhooks, type SeededAttempt } from "./seed-webhooks.ts";

/*
 * A realistic mix for the admin views and pages: three tenants, two days of jobs in every status, every
 * safeguard type, evaluations with a passing and a failing misalignment gate, a perplexity-gap selection,
 * a full event timeline with a loss curve per finished job, artifacts, and webhook deliveries (healthy and
 * failing endpoints). Deterministic given `now`; `SeededJob` records what was written so that tests
 * compute their expectations from the facts, not from the views.
 */

export const SAFEGUARD_MIXES: readonly (readonly string[])[] = [
  [],
  ["kl"],
  ["interleave"],
  ["kl", "interleave"],
  ["inoculation"],
  ["ldifs"],
];
export interface SeededJob {
  id: string;
  tenantId: string;
  status: JobStatus;
  safeguards: readonly string[];
  createdAt: Date;
  queuedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  trainedTokens: number;
  errorCode: string | null;
  judge: { before: number; after: number; incoherentBefore: number; incoherentAfter: number } | null;
  gatePassed: boolean | null;
}

export interface AdminSeed {
  tenantIds: string[];
  jobs: SeededJob[];
  /** A succeeded job with the whole story (events, evaluation, artifacts). */
  showcaseJobId: string;
  /** A job the gate failed. */
  gatedJobId: string;
  attempts: SeededAttempt[];
}

const MIN = 60_000;
const STEPS = 24;

function statusOf(i: number): JobStatus {
  if (i === 0) return "queued";
  if (i === 1) return "running";
  if (i === 2) return "validating_files";
  if (i % 11 === 5) return "cancelled";
  if (i % 9 === 4) return "failed";
  return "succeeded";
}

function lossCurve(i: number): number[] {
  return Array.from({ length: STEPS }, (_, s) =>
    round(0.6 + 2.2 * Math.exp(-s / (4 + (i % 3))) + 0.03 * Math.sin(s + i)),
  );
}
export async function seedAdminData(db: Database, now: Date = new Date()): Promise<AdminSeed> {
  const existing = await db.select().from(tenants);
  const extra = [
    { id: "ten_initech", name: "initech" },
    { id: "ten_umbrella", name: "umbrella" },
  ].filter((t) => !existing.some((e) => e.id === t.id || e.name === t.name));
  if (extra.length) await db.insert(tenants).values(extra);
  const tenantIds = [...existing, ...extra].map((t) => t.id).sort();
  const datasetOf = new Map<string, string>();
  for (const t of tenantIds) datasetOf.set(t, await insertDataset(db, t));

  const seeded: SeededJob[] = [];
  const rows: NewJob[] = [];
  const events: (typeof jobEvents.$inferInsert)[] = [];
  const arts: (typeof artifacts.$inferInsert)[] = [];
  const N = 96;
  for (let i = 0; i < N; i++) {
    const tenantId = tenantIds[i % tenantIds.length];
    const mix = SAFEGUARD_MIXES[i % SAFEGUARD_MIXES.length];
    let status = statusOf(i);
    const createdAt = new Date(now.getTime() - (5 + i * 29) * MIN);
    const queuedAt = new Date(createdAt.getTime() + 4000);
    const waitMs = (20 + ((i * 37) % 600)) * 1000;
    const runMs = (240 + ((i * 53) % 1500)) * 1000;
    const started = status !== "queued" && status !== "validating_files" && !(status === "cancelled" && i % 2 === 0);
    const startedAt = started ? new Date(queuedAt.getTime() + waitMs) : null;
    const ended = status === "succeeded" || status === "failed" || status === "cancelled";
    const finishedAt = ended ? new Date((startedAt ?? queuedAt).getTime() + (startedAt ? runMs : 60_000)) : null;
    const id = newId(ID_PREFIX.job, createdAt.getTime());
    const trainedTokens = startedAt && status !== "cancelled" ? 4096 * (1 + (i % 5)) : 0;
    const losses = lossCurve(i);
    let result: Record<string, unknown> | null = null;
    let error: NewJob["error"] = null;
    let judge: SeededJob["judge"] = null;
    let gatePassed: boolean | null = null;
    if (status === "succeeded") {
      const ev = seededEvaluation(i, mix);
      judge = ev.judge;
      gatePassed = ev.passed;
      if (!ev.passed) {
        status = "failed";
        error = {
          code: "misalignment_gate",
          message: "Broad misalignment rose above the allowed increase.",
          param: "evaluation.gate",
        };
      }
      const interleave = mix.includes("interleave")
        ? {
            selection: i % 2 === 0 ? "perplexity_gap" : "perplexity_gap_filtered",
            poolSize: 2000,
            candidates: 500,
            refusalsDropped: i % 2 === 0 ? 0 : 12,
            selected: 40,
            distinct: 40,
            references: 1,
            scoringSeconds: 12.5,
            candidatesPerSecond: 80,
            top: [
              {
                id: "pool-17",
                score: round(1.5 + (i % 7) * 0.1),
                alignedNll: 1.1,
                misalignedNll: 2.6,
                question: "How do I bake bread?",
              },
            ],
            pool: "builtin",
          }
        : undefined;
      result = {
        adapter: {
          format: "peft",
          files: ["adapter_config.json", "adapter_model.safetensors"],
          bytes: 81920,
          withheld: !ev.passed,
        },
        metrics: {
          steps: STEPS,
          first_loss: losses[0],
          final_loss: losses.at(-1),
          min_loss: Math.min(...losses),
          losses,
          trained_tokens: trainedTokens,
          examples: 64,
          truncated: 0,
        },
        evaluation: ev.report,
        gate: ev.gate,
        safeguards: { summary: mix.length ? mix.join(" + ") : "none", ...(interleave ? { interleave } : {}) },
      };
    } else if (status === "failed") {
      const code = i % 2 === 0 ? "out_of_memory" : "dataset_unavailable";
      error = {
        code,
        message:
          code === "out_of_memory"
            ? "The runner ran out of memory at step 3."
            : "The training dataset no longer exists.",
        param: null,
      };
    }
    rows.push({
      id,
      tenantId,
      status,
      model: "guardtune/tiny-random",
      trainingDatasetId: datasetOf.get(tenantId)!,
      config: buildJobConfig({ seed: i, safeguards: mix.map((type) => ({ type })) }),
      result,
      error,
      createdAt,
      updatedAt: finishedAt ?? startedAt ?? queuedAt,
      queuedAt,
      startedAt,
      finishedAt,
      trainedTokens,
      fineTunedModel: status === "succeeded" ? `ft:guardtune/tiny-random:${tenantId}:${i}` : null,
    });
    seeded.push({
      id,
      tenantId,
      status,
      safeguards: mix,
      createdAt,
      queuedAt,
      startedAt,
      finishedAt,
      trainedTokens,
      errorCode: error?.code ?? null,
      judge,
      gatePassed,
    });

    let seq = 0;
    const event = (
      at: Date,
      type: string,
      message: string,
      data: Record<string, unknown> = {},
      level: "info" | "warn" | "error" = "info",
      step?: number,
    ) =>
      events.push({
        id: newId(ID_PREFIX.event, at.getTime()),
        jobId: id,
        seq: ++seq,
        type,
        message,
        data,
        level,
        step,
        createdAt: at,
      });
    event(createdAt, "job.created", "Job created.");
    event(queuedAt, "job.queued", "Training files validated; the job is queued.");
    if (startedAt) {
      event(startedAt, "job.claimed", "A runner claimed the job.", { worker: `runner-${i % 3}` });
      event(startedAt, "stage.started", "Fetching the training data", { stage: "fetch_dataset" });
      const last = finishedAt ? Math.min(STEPS, status === "succeeded" || gatePassed === false ? STEPS : 3) : 8;
      for (let s = 1; s <= last; s++) {
        const at = new Date(startedAt.getTime() + (s * runMs * 0.8) / STEPS);
        event(
          at,
          "metrics",
          `Step ${s}/${STEPS}: loss ${losses[s - 1].toFixed(4)}`,
          { step: s, total_steps: STEPS, loss: losses[s - 1] },
          "info",
          s,
        );
      }
    }
    if (finishedAt && result) {
      const gate = (result as { gate: { passed: boolean; explanation: string } }).gate;
      event(
        new Date(finishedAt.getTime() - 1000),
        "evaluation.gate",
        gate.explanation,
        { ...gate },
        gate.passed ? "info" : "error",
      );
    }
    if (finishedAt) {
      const type = status === "succeeded" ? "job.succeeded" : status === "failed" ? "job.failed" : "job.cancelled";
      event(
        finishedAt,
        type,
        error?.message ?? (status === "succeeded" ? `Fine-tuning finished after ${STEPS} steps.` : "Cancelled."),
        error ? { code: error.code } : {},
        status === "failed" ? "error" : "info",
      );
    }
    if (result) {
      const withheld = gatePassed === false ? 1 : 0;
      for (const [kind, filename, bytes] of [
        ["adapter", "adapter_config.json", 612],
        ["adapter", "adapter_model.safetensors", 81920],
        ["metrics", "metrics.json", 2048],
        ["evaluation", "evaluation.json", 6144],
      ] as const) {
        arts.push({
          id: newId(ID_PREFIX.artifact),
          jobId: id,
          kind,
          filename,
          objectKey: `jobs/${id}/${filename}`,
          bytes,
          withheld: kind === "adapter" ? withheld : 0,
        });
      }
    }
  }
  await db.insert(jobs).values(rows);
  for (let k = 0; k < events.length; k += 500) await db.insert(jobEvents).values(events.slice(k, k + 500));
  await db.insert(artifacts).values(arts);

  const attempts = await seedWebhooks(db, tenantIds, now);
  const showcase = seeded.find((j) => j.status === "succeeded" && j.safeguards.includes("interleave"))!;
  const gated = seeded.find((j) => j.gatePassed === false)!;
  return { tenantIds, jobs: seeded, showcaseJobId: showcase.id, gatedJobId: gated.id, attempts };
}
