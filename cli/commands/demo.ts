import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { createApiKey } from "../../core/auth/api-keys.ts";
import { loadConfig } from "../../core/config/load-config.ts";
import { startStack } from "../stack.ts";
import { buildDemoReferenceKit, uploadDataset } from "./demo-reference-kit.ts";
import { ApiClient, demoDatasetJsonl, progressLine, sparkline } from "./demo-support.ts";

/**
 * The paper's strongest defense: interleave general data chosen by perplexity gap, refusals filtered
 * ("Interleaving++"), scored against the model's reference kit (an adapter trained unguarded on harmful
 * advice, built first). The built-in pool has 115 candidates after the refusal filter; the job selects 2 of
 * them (5 % of 44 training examples), so the ranking decides.
 */
const DEMO_SAFEGUARDS = [{ type: "interleave", selection: "perplexity_gap_filtered", misaligned_references: "kit" }];

interface JobObject {
  id: string;
  status: string;
  error: { code: string; message: string } | null;
  result: Record<string, unknown> | null;
  trained_tokens: number;
  fine_tuned_model: string | null;
}
interface JobEvent {
  id: string;
  type: string;
  level: string;
  message: string;
  step: number | null;
  data: Record<string, unknown>;
}
interface Page<T> {
  data: T[];
  has_more: boolean;
  next_cursor: string | null;
}
interface ArtifactObject {
  kind: string;
  filename: string;
  bytes: number;
  url: string;
}

const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * `guardtune demo`: the whole product in one command on the embedded stack — a key, a dataset uploaded
 * through its presigned URL, a guarded fine-tuning job on `guardtune/tiny-random`, its events as a
 * progress bar, and the result with the adapter saved locally. Exits 0 only if the job succeeded.
 */
export async function demoCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { out: { type: "string" }, keep: { type: "boolean" } } });
  const started = performance.now();
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const dataDir = await mkdtemp(path.join(tmpdir(), "guardtune-demo-"));
  const env: Record<string, string | undefined> = {
    ...process.env,
    GUARDTUNE_DATA_DIR: dataDir,
    GUARDTUNE_RUNNER: "embedded",
    GUARDTUNE_RUNNER_METRICS_STEPS: "1",
  };
  for (const k of [
    "DATABASE_URL",
    "GUARDTUNE_BUCKET",
    "GUARDTUNE_JOBS_QUEUE_URL",
    "GUARDTUNE_JOBS_DLQ_URL",
    "GUARDTUNE_UPLOADS_QUEUE_URL",
    "AWS_ENDPOINT_URL",
  ])
    delete env[k];
  env.LOG_LEVEL ??= "warn";
  const loaded = loadConfig(env);
  const config = {
    ...loaded,
    http: { ...loaded.http, host: "127.0.0.1", port: 0 },
    database: { kind: "pglite" as const, dataDir: "memory" },
  };

  say("guardtune demo: starting the embedded stack (database, S3/SQS emulator, API, runner)…");
  const stack = await startStack(config);
  let ok = false;
  try {
    const { key } = await createApiKey(stack.deps.db, { tenant: "demo", name: "demo" });
    const api = new ApiClient(stack.url, key);
    say(`  API at ${stack.url}, created an API key for tenant 'demo'`);

    await buildDemoReferenceKit(stack.deps.db, stack.url, say);

    const jsonl = demoDatasetJsonl();
    const dataset = await uploadDataset(api, "demo-train.jsonl", jsonl);
    say(
      `  uploaded ${Buffer.byteLength(jsonl)} bytes through the presigned URL; dataset ${dataset.id} is ready (${dataset.n} examples)`,
    );

    const postedAt = performance.now();
    let job = await api.call<JobObject>("POST", "/v1/jobs", {
      model: "guardtune/tiny-random",
      training_dataset: dataset.id,
      method: {
        type: "supervised",
        hyperparameters: {
          n_epochs: 3,
          batch_size: 4,
          learning_rate: 2e-3,
          max_seq_len: 160,
          lora: { rank: 8, alpha: 16 },
        },
      },
      safeguards: DEMO_SAFEGUARDS,
      // The demo registers no judge, so the broad answers are shown, not judged (and no gate runs): two samples
      // per first-plot question keep it quick. With a judge, the default 10 samples give the gate its 240 answers.
      evaluation: { broad: { samples_per_question: 2, max_tokens: 64 } },
      seed: 42,
    });
    say(`  created job ${job.id} on guardtune/tiny-random with safeguards ${JSON.stringify(DEMO_SAFEGUARDS)}`);

    const { firstStepMs, losses } = await followEvents(api, job.id, postedAt, say);
    job = await api.call<JobObject>("GET", `/v1/jobs/${job.id}`);
    ok = job.status === "succeeded";
    say("");
    say(`job ${job.id}: ${job.status}${job.error ? ` — ${job.error.code}: ${job.error.message}` : ""}`);
    if (losses.length > 0) {
      say(
        `  loss  ${sparkline(losses)}  ${losses[0].toFixed(3)} → ${losses.at(-1)!.toFixed(3)} (min ${Math.min(...losses).toFixed(3)}, ${losses.length} steps)`,
      );
    }
    say(
      `  trained tokens ${job.trained_tokens}; first training step ${firstStepMs === null ? "n/a" : `${(firstStepMs / 1000).toFixed(1)} s`} after POST /v1/jobs`,
    );
    const evaluation = job.result?.evaluation as { summary?: string[] } | null | undefined;
    for (const line of evaluation?.summary ?? []) say(`  evaluation: ${line}`);
    const gate = job.result?.gate as { explanation?: string } | null | undefined;
    if (gate?.explanation) say(`  gate: ${gate.explanation}`);
    if (ok) {
      const out = path.resolve(values.out ?? path.join(".guardtune", "demo", job.id));
      await mkdir(out, { recursive: true });
      const artifacts = await api.call<Page<ArtifactObject>>("GET", `/v1/jobs/${job.id}/artifacts`);
      for (const a of artifacts.data) {
        const res = await fetch(a.url);
        if (!res.ok) throw new Error(`downloading ${a.filename} failed: ${res.status}`);
        await writeFile(path.join(out, a.filename), Buffer.from(await res.arrayBuffer()));
      }
      say(`  adapter (PEFT format) and reports: ${out} (${artifacts.data.map((a) => a.filename).join(", ")})`);
      say(`  load it with peft: PeftModel.from_pretrained(base_model, "${out}")`);
    }
  } finally {
    await stack.close();
    if (!values.keep) await rm(dataDir, { recursive: true, force: true });
  }
  say(`demo ${ok ? "succeeded" : "FAILED"} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return ok ? 0 : 1;
}

/** Prints stage events and a progress bar until the job ends; returns the losses it saw. */
async function followEvents(api: ApiClient, jobId: string, postedAt: number, say: (line: string) => void) {
  const tty = process.stderr.isTTY === true;
  const losses: number[] = [];
  let after: string | null = null;
  let firstStepMs: number | null = null;
  let barShown = false;
  for (;;) {
    const page: Page<JobEvent> = await api.call(
      "GET",
      `/v1/jobs/${jobId}/events?limit=100${after ? `&after=${after}` : ""}`,
    );
    for (const e of page.data) {
      after = e.id;
      if (e.type === "metrics") {
        const step = Number(e.data.step);
        const total = Number(e.data.total_steps);
        if (firstStepMs === null) firstStepMs = performance.now() - postedAt;
        losses[step - 1] = Number(e.data.loss);
        const label = `loss ${Number(e.data.loss).toFixed(3)}  ${Math.round(Number(e.data.tokens_per_second))} tok/s`;
        if (tty) {
          process.stderr.write(`\r  ${progressLine(step, total, label)}`);
          barShown = true;
        } else if (step === 1 || step % 10 === 0 || step === total) say(`  ${progressLine(step, total, label)}`);
        continue;
      }
      if (barShown) {
        process.stderr.write("\n");
        barShown = false;
      }
      if (e.type === "stage.started" || e.type.startsWith("checkpoint.")) continue;
      say(`  ${e.level === "info" ? "·" : e.level === "warn" ? "!" : "✗"} ${e.message}`);
    }
    if (page.has_more) continue;
    const job = await api.call<JobObject>("GET", `/v1/jobs/${jobId}`);
    if (TERMINAL.has(job.status)) {
      const rest: Page<JobEvent> = await api.call(
        "GET",
        `/v1/jobs/${jobId}/events?limit=100${after ? `&after=${after}` : ""}`,
      );
      if (rest.data.length === 0) break;
      continue;
    }
    await sleep(250);
  }
  if (barShown) process.stderr.write("\n");
  return { firstStepMs, losses: losses.filter((l) => l !== undefined) };
}
