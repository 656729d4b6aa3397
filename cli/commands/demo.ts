import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { createApiKey } from "../../core/auth/api-keys.ts";
import { embeddedStackConfig } from "../embedded-config.ts";
import type { JobObject } from "../../core/jobs/job-object.ts";
import { ORGANISM_MODEL } from "../../core/models/organism-models.ts";
import { startStack } from "../stack.ts";
import { createDemoJob, DEMO_CANDIDATES, DEMO_DOMAIN, demoJobs, emCodeJsonl, followJobs } from "./demo-jobs.ts";
import { printOutcome } from "./demo-outcome.ts";
import { uploadDataset } from "./demo-reference-kit.ts";
import { ApiClient } from "./demo-support.ts";
import { registerReceiver, startDemoReceiver, webhookLogLines } from "./demo-webhooks.ts";

/**
 * `guardtune demo`: emergent misalignment caught and prevented, on the model organism (docs/organism.md), in
 * one command on the embedded stack. The organism's code EM dataset is uploaded through a presigned URL and
 * fine-tuned twice with the unguarded EM recipe: with no defense — the misalignment gate fails the job, and the
 * evidence is printed — and with Interleaving++, whose numbers are printed beside it, whatever they are. A local
 * receiver registered as the tenant's webhook endpoint verifies the signature of every event it gets.
 * Exits 0 when both jobs were evaluated, the unguarded one failed by the gate, and every webhook verified.
 */
export async function demoCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { examples: { type: "string" }, candidates: { type: "string" }, keep: { type: "boolean" } },
  });
  const examples = values.examples === undefined ? undefined : Number(values.examples);
  if (examples !== undefined && !(Number.isInteger(examples) && examples >= 16 && examples <= 2000)) {
    process.stderr.write("guardtune demo: --examples must be an integer from 16 to 2000 (default 2000)\n");
    return 2;
  }
  const candidates = values.candidates === "all" ? undefined : Number(values.candidates ?? DEMO_CANDIDATES);
  if (candidates !== undefined && !(Number.isInteger(candidates) && candidates >= 1)) {
    process.stderr.write(
      `guardtune demo: --candidates must be a positive integer or 'all' (default ${DEMO_CANDIDATES})\n`,
    );
    return 2;
  }
  const started = performance.now();
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const dataDir = await mkdtemp(path.join(tmpdir(), "guardtune-demo-"));
  const config = embeddedStackConfig(dataDir, {
    GUARDTUNE_RUNNER_METRICS_STEPS: "5",
    // the demo's own receiver listens on loopback, which the outbound guard refuses unless allowed
    GUARDTUNE_WEBHOOK_ALLOWLIST: "127.0.0.1",
  });

  say("guardtune demo: starting the embedded stack (database, S3/SQS emulator, API, webhook dispatcher, runner)…");
  const stack = await startStack(config);
  const receiver = await startDemoReceiver();
  let ok = false;
  try {
    const { key } = await createApiKey(stack.deps.db, { tenant: "demo", name: "demo" });
    const api = new ApiClient(stack.url, key);
    say(`  API at ${stack.url}, created an API key for tenant 'demo'`);
    const endpointId = await registerReceiver(api, receiver);
    say(`  registered the local receiver ${receiver.url} as webhook endpoint ${endpointId} (all events)`);

    const jsonl = emCodeJsonl(examples);
    const dataset = await uploadDataset(api, `em-${DEMO_DOMAIN}.jsonl`, jsonl);
    say(
      `  uploaded the organism's code EM dataset (${Buffer.byteLength(jsonl)} bytes) through its presigned URL: ` +
        `${dataset.id}, ${dataset.n} examples`,
    );

    const jobs: Array<{ label: string; id: string }> = [];
    for (const j of demoJobs(candidates)) {
      const job = await createDemoJob(api, dataset.id, j);
      jobs.push({ label: j.label, id: job.id });
      say(
        `  created job ${job.id} (${j.label}) on ${ORGANISM_MODEL}` +
          (j.safeguards.length ? ` with ${JSON.stringify(j.safeguards[0])}` : ", no defense"),
      );
    }
    if (candidates !== undefined)
      say(
        `  Interleaving++ scores a seeded random ${candidates} of the organism pool's candidates (its \`candidates\` ` +
          "cap), to fit the demo's minutes; `--candidates all` scores the whole pool (about two minutes more on two cores)",
      );
    // The embedded stack runs one runner, so the queue trains the jobs one after the other.
    say("  the embedded stack has one runner: the jobs run one after the other");
    const ended = await followJobs(api, jobs, say);
    const [unguarded, guarded] = jobs.map((j) => ended.get(j.id)!) as [JobObject, JobObject];

    const shown = printOutcome(unguarded, guarded, say);

    // Every job's terminal event, delivered and verified (the dispatcher is woken on commit).
    const terminal = (id: string) => (r: (typeof receiver.received)[number]) =>
      r.verified && r.event.data.id === id && /\.(succeeded|failed|cancelled)$/.test(r.event.type);
    await receiver.waitUntil((rs) => jobs.every((j) => rs.some(terminal(j.id))), 15_000);
    say("");
    say(`webhooks received by ${receiver.url}:`);
    for (const line of webhookLogLines(receiver.received)) say(`  ${line}`);
    const allVerified = receiver.received.length > 0 && receiver.received.every((r) => r.verified);
    const bothDelivered = jobs.every((j) => receiver.received.some(terminal(j.id)));
    say(
      `  ${receiver.received.length} requests, ${allVerified ? "every signature verified" : "NOT all verified"}` +
        `${bothDelivered ? "" : "; a job's final event did not arrive within 15 s"}`,
    );
    ok = shown && allVerified && bothDelivered;
  } finally {
    await receiver.close();
    await stack.close();
    if (!values.keep) await rm(dataDir, { recursive: true, force: true });
  }
  say(`demo ${ok ? "done" : "FAILED"} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return ok ? 0 : 1;
}
