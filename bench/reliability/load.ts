import path from "node:path";
import autocannon from "autocannon";
import { startGuardtune, STARTUP_MS, stopProcess, ROOT } from "../topology/processes.ts";
import type { Topology } from "../topology/topology.ts";
import { Api, chatJsonl, datasetSettled, uploadDataset, verdict, type ScenarioResult } from "./common.ts";

export interface LoadOptions {
  seconds: number;
  connections: number;
}
export const LOAD_DEFAULTS: LoadOptions = { seconds: 20, connections: 20 };

/** The goal on 2 cores; reported beside the anchor ratio, which is what the verdict rests on. */
const GOAL = { createsPerS: 1500, createP99Ms: 50, readsPerS: 5000 };

interface Measured {
  requests_per_s: number;
  p50_ms: number;
  p99_ms: number;
  non_2xx: number;
  errors: number;
}

async function measure(
  url: string,
  key: string,
  seconds: number,
  connections: number,
  post?: string,
): Promise<Measured> {
  const r = await autocannon({
    url,
    method: post ? "POST" : "GET",
    headers: { authorization: `Bearer ${key}`, ...(post ? { "content-type": "application/json" } : {}) },
    body: post,
    connections,
    duration: seconds,
  });
  return {
    requests_per_s: Math.round(r.requests.average),
    p50_ms: r.latency.p50,
    p99_ms: r.latency.p99,
    non_2xx: r.non2xx,
    errors: r.errors,
  };
}

/**
 * Scenario 5: job creates/s and status reads/s (one job by id; a filtered list) with p50/p99, for
 * `guardtune serve` and for the bare Hono + pg anchor running the same SQL, in the same run, alternating,
 * each as its own process on the same PostgreSQL database and pool size.
 */
export async function load(
  topology: Topology,
  databaseUrl: string,
  opts: LoadOptions,
  log: (line: string) => void,
): Promise<ScenarioResult> {
  const started = performance.now();
  const api = new Api(topology.apiUrl, topology.apiKey);
  const ds = await uploadDataset(api, chatJsonl(20));
  await datasetSettled(api, ds.id, 300_000);
  const body = JSON.stringify({
    model: "guardtune/tiny-random",
    training_dataset: ds.id,
    safeguards: [{ type: "kl" }],
    metadata: { scenario: "load" },
  });
  const one = await api.retrying<{ id: string }>("POST", "/v1/jobs", JSON.parse(body));
  const anchorProc = startAnchor(databaseUrl);
  try {
    const [, anchorUrl] = await anchorProc.waitForLine(/anchor listening on (http:\/\/\S+)/, STARTUP_MS);
    const targets = { api: topology.apiUrl, anchor: anchorUrl };
    const results: Record<string, Record<string, Measured>> = { api: {}, anchor: {} };
    const cases = {
      create: (base: string, s: number) => measure(`${base}/v1/jobs`, topology.apiKey, s, opts.connections, body),
      get: (base: string, s: number) => measure(`${base}/v1/jobs/${one.body.id}`, topology.apiKey, s, opts.connections),
      list: (base: string, s: number) =>
        measure(`${base}/v1/jobs?status=queued&limit=20`, topology.apiKey, s, opts.connections),
    };
    for (const [name, run] of Object.entries(cases)) {
      // Alternate so that neither side always runs on a warmer (or more loaded) machine.
      for (const side of name === "get" ? (["anchor", "api"] as const) : (["api", "anchor"] as const)) {
        await run(targets[side], 2); // warm-up (JIT, pool, caches), discarded
        results[side][name] = await run(targets[side], opts.seconds);
        log(`  load ${name} ${side}: ${JSON.stringify(results[side][name])}`);
      }
    }
    const ratio = (c: string) =>
      Math.round((results.api[c].requests_per_s / Math.max(1, results.anchor[c].requests_per_s)) * 100) / 100;
    const clean = Object.values(results).every((side) =>
      Object.values(side).every((m) => m.non_2xx === 0 && m.errors === 0),
    );
    return verdict(
      "load",
      started,
      {
        connections: opts.connections,
        seconds_per_case: opts.seconds,
        api: results.api,
        anchor: results.anchor,
        api_over_anchor_throughput: { create: ratio("create"), get: ratio("get"), list: ratio("list") },
        goal: GOAL,
        goal_met: {
          creates: results.api.create.requests_per_s >= GOAL.createsPerS,
          create_p99: results.api.create.p99_ms <= GOAL.createP99Ms,
          reads: results.api.get.requests_per_s >= GOAL.readsPerS,
        },
      },
      {
        "every request answered 2xx on both servers": clean,
        "measured beside the anchor in the same run": Object.keys(results.anchor).length === 3,
      },
      opts.seconds < LOAD_DEFAULTS.seconds ? [`${opts.seconds} s per case (full scale ${LOAD_DEFAULTS.seconds})`] : [],
    );
  } finally {
    await stopProcess(anchorProc, "SIGTERM", 5000);
  }
}

function startAnchor(databaseUrl: string) {
  // Through tsx like the CLI (bin/guardtune.mjs), so both servers pay the same on-the-fly compilation.
  return startGuardtune("anchor", [], { DATABASE_URL: databaseUrl, ANCHOR_POOL_SIZE: "10" }, [
    path.join(ROOT, "node_modules/tsx/dist/cli.mjs"),
    path.join(ROOT, "bench/reliability/anchor-server.ts"),
  ]);
}
