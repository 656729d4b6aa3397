import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { promisify } from "node:util";
import pg from "pg";
import { sleep, waitUntil } from "../topology/client.ts";
import type { Topology } from "../topology/topology.ts";
import {
  Api,
  chatJsonl,
  datasetSettled,
  NO_EVALUATION,
  TINY_METHOD,
  uploadDataset,
  verdict,
  waitForTerminal,
  type ScenarioResult,
} from "./common.ts";

const run = promisify(execFile);

export interface DbRestartOptions {
  restarts: number;
  clients: number;
  /** Seconds of load before, between and after the restarts. */
  gapS: number;
}
export const DB_RESTART_DEFAULTS: DbRestartOptions = { restarts: 2, clients: 8, gapS: 8 };

/** Words that must never reach a client: driver errors, SQL, stack frames, addresses. */
const LEAKS =
  /ECONNREFUSED|ECONNRESET|postgres|pg_|\bSQL\b|select |insert |terminating connection|\n\s+at |127\.0\.0\.1|57P01/i;

/**
 * Scenario 2: clients create jobs with Idempotency-Keys (retrying each key until it is answered 2xx) while
 * the PostgreSQL server restarts. Every acknowledged job must exist exactly once, no 5xx may leak
 * internals, /readyz must go 503 and come back, and the API, relay and runner must recover on their own:
 * a job created after the restarts is trained to `succeeded` by the same, never restarted, runner.
 */
export async function dbRestart(
  topology: Topology,
  databaseUrl: string,
  opts: DbRestartOptions,
  log: (line: string) => void,
): Promise<ScenarioResult> {
  const started = performance.now();
  const restartCommand = (
    process.env.GUARDTUNE_PG_RESTART ?? "pg_ctlcluster --skip-systemctl-redirect 15 main restart"
  ).split(" ");
  const api = new Api(topology.apiUrl, topology.apiKey);
  const ds = await uploadDataset(api, chatJsonl(20));
  await datasetSettled(api, ds.id, 300_000);
  const body = {
    model: "guardtune/tiny-random",
    training_dataset: ds.id,
    method: TINY_METHOD(1),
    evaluation: NO_EVALUATION,
    metadata: { scenario: "db-restart" },
  };

  const acked = new Map<string, string>(); // key → job id
  const statuses = new Map<number, number>();
  const leaks: string[] = [];
  const readyz: Array<{ t: number; status: number }> = [];
  let stop = false;
  const client = async () => {
    while (!stop) {
      const key = randomUUID();
      // The same key until it is answered: a retry after a lost answer must not create a second job.
      for (let attempt = 0; !stop || attempt === 0; attempt++) {
        try {
          const r = await api.request<{ id: string }>("POST", "/v1/jobs", body, { "idempotency-key": key });
          statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
          if (r.status >= 500 && LEAKS.test(r.text)) leaks.push(r.text.slice(0, 300));
          if (r.status === 201 || r.status === 200) {
            acked.set(key, r.body.id);
            break;
          }
        } catch {
          statuses.set(-1, (statuses.get(-1) ?? 0) + 1);
        }
        await sleep(200);
      }
    }
  };
  const probe = async () => {
    while (!stop) {
      const status = await fetch(`${topology.apiUrl}/readyz`, { signal: AbortSignal.timeout(5000) })
        .then((r) => r.status)
        .catch(() => -1);
      readyz.push({ t: performance.now(), status });
      await sleep(250);
    }
  };

  const clients = [...Array.from({ length: opts.clients }, client), probe()];
  const restartMs: number[] = [];
  try {
    await sleep(opts.gapS * 1000);
    for (let i = 0; i < opts.restarts; i++) {
      log(`db restart ${i + 1}/${opts.restarts}: ${restartCommand.join(" ")}`);
      const t0 = performance.now();
      await run(restartCommand[0], restartCommand.slice(1));
      restartMs.push(Math.round(performance.now() - t0));
      await sleep(opts.gapS * 1000);
    }
  } finally {
    stop = true;
    await Promise.all(clients);
  }

  const sql = new pg.Client({ connectionString: databaseUrl });
  await sql.connect();
  const ids = [...acked.values()];
  let present = 0;
  let total = 0;
  try {
    const { rows } = await sql.query<{ id: string }>("select id from jobs where id = any($1)", [ids]);
    present = rows.length;
    const { rows: all } = await sql.query<{ n: string }>(
      'select count(*) as n from jobs where metadata @> \'{"scenario":"db-restart"}\'',
    );
    total = Number(all[0].n);
  } finally {
    await sql.end();
  }
  // Keys that were never answered may have committed too (the answer was lost): those are the only extras.
  const readyzDown = readyz.some((r) => r.status === 503);
  const readyzRecovered = readyz.at(-1)?.status === 200;
  const runnerAlive = topology.runners.every((r) => r.child.exitCode === null && r.child.signalCode === null);

  // Recovery: cancel the load (it would take the runner hours), then train one more job.
  for (const id of ids) await api.retrying("POST", `/v1/jobs/${id}/cancel`, {});
  const probeJob = await api.retrying<{ id: string }>("POST", "/v1/jobs", { ...body, metadata: { scenario: "after" } });
  const after = await waitForTerminal(api, [probeJob.body.id], 300_000);
  const cancelledOrDone = await waitUntil(
    async () => {
      const r = await waitForTerminal(api, ids, 1000);
      return r.stuck.length === 0 ? r : undefined;
    },
    300_000,
    "the load's jobs to end",
    1000,
  ).catch(() => undefined);

  return verdict(
    "db-restart",
    started,
    {
      restarts: opts.restarts,
      restart_ms: restartMs,
      clients: opts.clients,
      acknowledged: acked.size,
      acknowledged_present: present,
      jobs_in_database: total,
      responses_by_status: Object.fromEntries(statuses),
      leaking_5xx: leaks.length,
      leak_examples: leaks.slice(0, 3),
      readyz_503_samples: readyz.filter((r) => r.status === 503).length,
      readyz_last: readyz.at(-1)?.status,
      job_after_restarts: after.ended.get(probeJob.body.id)?.status ?? "not terminal",
      runner_never_restarted: runnerAlive,
    },
    {
      "every acknowledged job exists exactly once": present === acked.size && new Set(ids).size === ids.length,
      "no job beyond one per key (at most the unanswered in-flight keys)": total <= acked.size + opts.clients,
      "no 5xx leaks internals": leaks.length === 0,
      "/readyz went 503 and recovered": readyzDown && readyzRecovered,
      "a job created after the restarts succeeded (relay and the same runner recovered)":
        after.ended.get(probeJob.body.id)?.status === "succeeded" && runnerAlive,
      "every load job ended after cancellation": cancelledOrDone !== undefined,
    },
    opts.restarts < DB_RESTART_DEFAULTS.restarts ? [`${opts.restarts} restarts (full scale 2)`] : [],
  );
}
