/**
 * The reliability and load suite: the production topology (emulator, API, runners — separate processes on
 * PostgreSQL) under runner kills, database restarts, storage/queue faults, hostile uploads and load. Each
 * scenario prints its figures and a verdict; `--json` prints one JSON document at the end.
 *
 *   npm run reliability -- [--only kills,db,faults,uploads,load] [--json] [scale flags below]
 *
 * Defaults are full scale; the flags scale a run down (the report says which). DATABASE_URL names the
 * PostgreSQL server (default the local one); the database-restart scenario restarts that server's cluster
 * (`GUARDTUNE_PG_RESTART`, default `pg_ctlcluster --skip-systemctl-redirect 15 main restart`).
 */
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import type { ScenarioResult } from "./reliability/common.ts";
import { dbRestart, DB_RESTART_DEFAULTS } from "./reliability/db-restart.ts";
import { hostileUploads, HOSTILE_UPLOADS_DEFAULTS } from "./reliability/hostile-uploads.ts";
import { load, LOAD_DEFAULTS } from "./reliability/load.ts";
import { runnerKills, RUNNER_KILLS_DEFAULTS, RUNNER_KILLS_RUNNER_ENV } from "./reliability/runner-kills.ts";
import { storageFaults, STORAGE_FAULTS_DEFAULTS } from "./reliability/storage-faults.ts";
import { createDatabase } from "./topology/processes.ts";
import { startTopology, type Topology, type TopologyOptions } from "./topology/topology.ts";

const { values } = parseArgs({
  options: {
    only: { type: "string", default: "kills,db,faults,uploads,load" },
    json: { type: "boolean", default: false },
    jobs: { type: "string", default: String(RUNNER_KILLS_DEFAULTS.jobs) },
    kills: { type: "string", default: String(RUNNER_KILLS_DEFAULTS.kills) },
    epochs: { type: "string", default: String(RUNNER_KILLS_DEFAULTS.epochs) },
    restarts: { type: "string", default: String(DB_RESTART_DEFAULTS.restarts) },
    clients: { type: "string", default: String(DB_RESTART_DEFAULTS.clients) },
    "fault-rate": { type: "string", default: String(STORAGE_FAULTS_DEFAULTS.faultRate) },
    "fault-uploads": { type: "string", default: String(STORAGE_FAULTS_DEFAULTS.uploads) },
    "fault-jobs": { type: "string", default: String(STORAGE_FAULTS_DEFAULTS.jobs) },
    files: { type: "string", default: String(HOSTILE_UPLOADS_DEFAULTS.files) },
    "load-seconds": { type: "string", default: String(LOAD_DEFAULTS.seconds) },
    connections: { type: "string", default: String(LOAD_DEFAULTS.connections) },
  },
});
const only = new Set(values.only.split(",").map((s) => s.trim()));
const num = (v: string) => Number(v);
const log = (line: string) => process.stderr.write(`${line}\n`);
const baseUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const MODEL_CACHE = path.join(tmpdir(), "guardtune-test-models");

/** Each scenario gets a fresh database and its own processes, so one scenario's leftovers never help another. */
async function withTopology<T>(
  opts: Omit<TopologyOptions, "databaseUrl" | "modelCacheDir">,
  run: (t: Topology, databaseUrl: string) => Promise<T>,
): Promise<T> {
  const db = await createDatabase(baseUrl, "gt_reliability");
  try {
    const t = await startTopology({ ...opts, databaseUrl: db.url, modelCacheDir: MODEL_CACHE });
    try {
      return await run(t, db.url);
    } catch (err) {
      // What the processes said last is usually the reason: keep it with the error.
      const tails = [t.emulator.process, t.serve, ...t.runners]
        .map(
          (p) =>
            `--- ${p.name} (exit ${p.child.exitCode ?? p.child.signalCode ?? "running"})\n${p.output().slice(-6000)}`,
        )
        .join("\n");
      throw new Error(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n${tails}`, { cause: err });
    } finally {
      await t.stop();
    }
  } finally {
    await db.drop().catch((err: unknown) => log(`could not drop ${db.url}: ${String(err)}`));
  }
}

const WEBHOOKS_TO_LOOPBACK = { GUARDTUNE_WEBHOOK_ALLOWLIST: "127.0.0.1", GUARDTUNE_WEBHOOK_ALLOW_HTTP: "true" };

const results: ScenarioResult[] = [];
const report = (r: ScenarioResult) => {
  results.push(r);
  log(`\n== ${r.name}: ${r.pass ? "PASS" : "FAIL"} (${r.seconds} s)`);
  for (const [k, v] of Object.entries(r.figures))
    log(`   ${k}: ${typeof v === "object" ? JSON.stringify(v) : String(v)}`);
  for (const [k, ok] of Object.entries(r.checks)) log(`   [${ok ? "x" : " "}] ${k}`);
  if (r.scaled.length) log(`   scaled down: ${r.scaled.join("; ")}`);
};
const attempt = async (name: string, fn: () => Promise<ScenarioResult>) => {
  try {
    report(await fn());
  } catch (err) {
    report({
      name,
      pass: false,
      figures: { error: err instanceof Error ? err.message.slice(0, 8000) : String(err) },
      checks: { "scenario ran to the end": false },
      scaled: [],
      seconds: 0,
    });
  }
};

if (only.has("kills"))
  await attempt("runner-kills", () =>
    withTopology({ runners: 2, runnerEnv: RUNNER_KILLS_RUNNER_ENV, serveEnv: WEBHOOKS_TO_LOOPBACK }, (t, url) =>
      runnerKills(
        t,
        url,
        { ...RUNNER_KILLS_DEFAULTS, jobs: num(values.jobs), kills: num(values.kills), epochs: num(values.epochs) },
        log,
      ),
    ),
  );
if (only.has("db"))
  await attempt("db-restart", () =>
    withTopology({ runners: 1, runnerEnv: RUNNER_KILLS_RUNNER_ENV }, (t, url) =>
      dbRestart(t, url, { ...DB_RESTART_DEFAULTS, restarts: num(values.restarts), clients: num(values.clients) }, log),
    ),
  );
if (only.has("faults"))
  await attempt("storage-faults", () =>
    storageFaults(
      (opts, run) => withTopology({ ...opts, runnerEnv: RUNNER_KILLS_RUNNER_ENV }, run),
      {
        ...STORAGE_FAULTS_DEFAULTS,
        faultRate: num(values["fault-rate"]),
        uploads: num(values["fault-uploads"]),
        jobs: num(values["fault-jobs"]),
      },
      log,
    ),
  );
if (only.has("uploads"))
  await attempt("hostile-uploads", () =>
    withTopology({ runners: 0, serveEnv: { GUARDTUNE_MAX_LINE_BYTES: "65536", GUARDTUNE_MIN_EXAMPLES: "1" } }, (t) =>
      hostileUploads(t, { ...HOSTILE_UPLOADS_DEFAULTS, files: num(values.files) }, log),
    ),
  );
if (only.has("load"))
  await attempt("load", () =>
    withTopology({ runners: 0, serveEnv: { DATABASE_POOL_SIZE: "10" } }, (t, url) =>
      load(t, url, { seconds: num(values["load-seconds"]), connections: num(values.connections) }, log),
    ),
  );

const pass = results.every((r) => r.pass);
if (values.json) process.stdout.write(JSON.stringify({ pass, scenarios: results }, null, 2) + "\n");
log(`\nreliability: ${results.filter((r) => r.pass).length}/${results.length} scenarios passed`);
process.exit(pass ? 0 : 1);
