import http from "node:http";
import type { AddressInfo } from "node:net";
import pg from "pg";
import { sleep } from "../topology/client.ts";
import type { GuardtuneProcess } from "../topology/processes.ts";
import type { Topology } from "../topology/topology.ts";
import {
  adapterSha,
  Api,
  datasetSettled,
  MIXED_SAFEGUARDS,
  NO_EVALUATION,
  TINY_METHOD,
  chatJsonl,
  uploadDataset,
  verdict,
  waitForTerminal,
  type ScenarioResult,
} from "./common.ts";

export interface RunnerKillsOptions {
  jobs: number;
  kills: number;
  epochs: number;
  minGapS: number;
  maxGapS: number;
  timeoutS: number;
}
export const RUNNER_KILLS_DEFAULTS: RunnerKillsOptions = {
  jobs: 10,
  kills: 20,
  // Enough work that 20 kills 3–10 s apart land before the jobs end: 10 jobs of 3 epochs took 7 s on 2 cores,
  // so 60 epochs (about 2.5 min of training without kills) outlast the ~130 s the kills need.
  epochs: 60,
  minGapS: 3,
  maxGapS: 10,
  timeoutS: 1800,
};

/** Runner settings that make a SIGKILL cheap to recover from: short leases, frequent checkpoints. */
export const RUNNER_KILLS_RUNNER_ENV = {
  GUARDTUNE_RUNNER_LEASE: "3s",
  GUARDTUNE_RUNNER_POLL_WAIT: "1s",
  GUARDTUNE_RUNNER_CHECKPOINT_STEPS: "5",
  GUARDTUNE_RUNNER_METRICS_STEPS: "5",
};

interface Received {
  id: string;
  type: string;
  jobId: string;
}

async function startWebhookReceiver() {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString()) as { type: string; data: { id?: string } };
        received.push({ id: String(req.headers["webhook-id"]), type: body.type, jobId: String(body.data?.id) });
      } catch {
        // counted as a delivery with no job: the check below sees it
        received.push({ id: String(req.headers["webhook-id"]), type: "unparseable", jobId: "" });
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return { url, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/**
 * Scenario 1: the same jobs trained twice — once with no interference (the reference), once while a random
 * runner is SIGKILLed every few seconds and restarted. Every job must succeed exactly once with an adapter
 * byte-identical to its reference, with one terminal event and one webhook id per event.
 */
export async function runnerKills(
  topology: Topology,
  databaseUrl: string,
  opts: RunnerKillsOptions,
  log: (line: string) => void,
): Promise<ScenarioResult> {
  const started = performance.now();
  const api = new Api(topology.apiUrl, topology.apiKey);
  const receiver = await startWebhookReceiver();
  const sql = new pg.Client({ connectionString: databaseUrl });
  await sql.connect();
  try {
    const endpoint = await api.retrying("POST", "/v1/webhook_endpoints", { url: receiver.url, events: ["*"] });
    if (endpoint.status !== 201 && endpoint.status !== 200) throw new Error(`webhook endpoint: ${endpoint.text}`);
    const ds = await uploadDataset(api, chatJsonl(40));
    await datasetSettled(api, ds.id, 300_000);
    const jobBody = (i: number) => ({
      model: "guardtune/tiny-random",
      training_dataset: ds.id,
      method: TINY_METHOD(opts.epochs),
      safeguards: MIXED_SAFEGUARDS[i % MIXED_SAFEGUARDS.length],
      evaluation: NO_EVALUATION,
      seed: 100 + i,
      metadata: { scenario: "runner-kills" },
    });
    const createAll = async () => {
      const ids: string[] = [];
      for (let i = 0; i < opts.jobs; i++) {
        const r = await api.retrying<{ id: string }>("POST", "/v1/jobs", jobBody(i));
        if (r.status !== 201) throw new Error(`POST /v1/jobs → ${r.status}: ${r.text.slice(0, 300)}`);
        ids.push(r.body.id);
      }
      return ids;
    };

    log(`runner kills: reference run of ${opts.jobs} jobs (no kills)`);
    const refStarted = performance.now();
    const refIds = await createAll();
    const ref = await waitForTerminal(api, refIds, opts.timeoutS * 1000);
    const refSeconds = (performance.now() - refStarted) / 1000;
    const refShas = await Promise.all(refIds.map((id) => adapterSha(api, id)));

    log(`runner kills: ${opts.jobs} jobs again, SIGKILL a random runner every ${opts.minGapS}–${opts.maxGapS} s`);
    const ids = await createAll();
    let kills = 0;
    const restarts: Array<Promise<GuardtuneProcess>> = [];
    const alive = new Set(topology.runners.map((_, i) => i));
    let done = false;
    const finished = waitForTerminal(api, ids, opts.timeoutS * 1000).finally(() => {
      done = true;
    });
    while (!done && kills < opts.kills) {
      await sleep((opts.minGapS + Math.random() * (opts.maxGapS - opts.minGapS)) * 1000);
      if (done) break;
      const candidates = [...alive];
      if (candidates.length === 0) continue;
      const i = candidates[Math.floor(Math.random() * candidates.length)];
      alive.delete(i);
      topology.runners[i].signal("SIGKILL");
      await topology.runners[i].exited;
      kills++;
      log(`  kill ${kills}: runner-${i}`);
      restarts.push(
        topology.restartRunner(i).then((p) => {
          alive.add(i);
          return p;
        }),
      );
    }
    const result = await finished;
    await Promise.allSettled(restarts);
    const killedSeconds = (performance.now() - started) / 1000 - refSeconds;

    const succeeded = ids.filter((id) => result.ended.get(id)?.status === "succeeded").length;
    const shas = await Promise.all(ids.map((id) => adapterSha(api, id)));
    const identical = shas.filter((s, i) => s !== undefined && s === refShas[i]).length;
    const { rows: terminalEvents } = await sql.query<{ job_id: string; n: string }>(
      "select job_id, count(*) as n from job_events where job_id = any($1) and type in ('job.succeeded','job.failed','job.cancelled') group by job_id",
      [ids],
    );
    const oneTerminalEach = terminalEvents.length === ids.length && terminalEvents.every((r) => Number(r.n) === 1);
    const { rows: attempts } = await sql.query<{ total: string }>(
      "select coalesce(sum(attempts), 0) as total from jobs where id = any($1)",
      [ids],
    );
    // Webhooks are at-least-once: a redelivery repeats the id. What must never happen is one event under two ids.
    await sleep(3000);
    const byEvent = new Map<string, Set<string>>();
    for (const r of receiver.received) {
      const k = `${r.jobId}/${r.type}`;
      byEvent.set(k, (byEvent.get(k) ?? new Set()).add(r.id));
    }
    const succeededWebhooks = ids.filter((id) => byEvent.has(`${id}/fine_tuning.job.succeeded`)).length;
    const eventsWithTwoIds = [...byEvent.entries()].filter(
      ([k, s]) => ids.some((id) => k.startsWith(id)) && s.size > 1,
    );
    const duplicateDeliveries = receiver.received.length - [...byEvent.values()].reduce((n, s) => n + s.size, 0);

    return verdict(
      "runner-kills",
      started,
      {
        jobs: opts.jobs,
        kills,
        reference_seconds: Math.round(refSeconds),
        reference_succeeded: refIds.filter((id) => ref.ended.get(id)?.status === "succeeded").length,
        killed_run_seconds: Math.round(killedSeconds),
        succeeded,
        stuck: result.stuck.length,
        adapters_identical_to_reference: identical,
        total_attempts: Number(attempts[0].total),
        terminal_events: terminalEvents.reduce((n, r) => n + Number(r.n), 0),
        webhook_deliveries: receiver.received.length,
        webhook_redeliveries_same_id: duplicateDeliveries,
        succeeded_webhooks: succeededWebhooks,
        events_with_two_ids: eventsWithTwoIds.length,
      },
      {
        "reference run succeeded": ref.stuck.length === 0 && refShas.every(Boolean),
        "every job succeeded": succeeded === ids.length,
        "adapters byte-identical to the reference": identical === ids.length,
        "one terminal event per job": oneTerminalEach,
        "one succeeded webhook per job, each event under one id":
          succeededWebhooks === ids.length && eventsWithTwoIds.length === 0,
        [`${opts.kills} kills landed`]: kills === opts.kills,
      },
      [
        ...(opts.jobs < RUNNER_KILLS_DEFAULTS.jobs ? [`${opts.jobs} jobs (full scale 10)`] : []),
        ...(opts.kills < RUNNER_KILLS_DEFAULTS.kills ? [`${opts.kills} kills (full scale 20)`] : []),
      ],
    );
  } finally {
    await sql.end();
    await receiver.close();
  }
}
