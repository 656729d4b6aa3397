import type { Topology, TopologyOptions } from "../topology/topology.ts";
import {
  Api,
  chatJsonl,
  datasetSettled,
  MIXED_SAFEGUARDS,
  NO_EVALUATION,
  TINY_METHOD,
  uploadDataset,
  verdict,
  waitForTerminal,
  type DatasetJson,
  type ScenarioResult,
} from "./common.ts";
import { startFaultProxy, type FaultProxy } from "./fault-proxy.ts";

export interface StorageFaultsOptions {
  /** Share of S3/SQS requests that fail, split evenly over 500, 503 and resets; as many again get latency. */
  faultRate: number;
  latencyMs: number;
  uploads: number;
  jobs: number;
  /** No dataset or job may stay non-terminal longer than this. */
  boundS: number;
}
export const STORAGE_FAULTS_DEFAULTS: StorageFaultsOptions = {
  faultRate: 0.1,
  latencyMs: 300,
  uploads: 20,
  jobs: 6,
  boundS: 900,
};

type WithTopology = <T>(
  opts: Omit<TopologyOptions, "databaseUrl" | "modelCacheDir">,
  run: (t: Topology, databaseUrl: string) => Promise<T>,
) => Promise<T>;

/**
 * Scenario 3: every S3 and SQS request of the API, the runners and the clients' presigned uploads passes a
 * proxy that fails a share of them (500, 503, resets) and delays as many. Uploads must be validated, and
 * jobs must end — succeeded, or failed with a clear error — within the bound; nothing stays in between.
 */
export async function storageFaults(
  withTopology: WithTopology,
  opts: StorageFaultsOptions,
  log: (line: string) => void,
): Promise<ScenarioResult> {
  const started = performance.now();
  let proxy: FaultProxy | undefined;
  const each = opts.faultRate / 3;
  try {
    return await withTopology(
      {
        runners: 2,
        awsEndpointOverride: async (endpoint) => {
          proxy = await startFaultProxy(endpoint, {
            error500: each,
            error503: each,
            reset: each,
            latency: opts.faultRate,
            latencyMs: opts.latencyMs,
          });
          return proxy.url;
        },
      },
      async (topology) => {
        const api = new Api(topology.apiUrl, topology.apiKey);
        log(
          `storage faults: ${opts.uploads} uploads and ${opts.jobs} jobs through ${(opts.faultRate * 100).toFixed(0)}% faults`,
        );
        const uploads = await Promise.all(
          Array.from({ length: opts.uploads }, async (_, i) => {
            // Every fourth file is invalid (too few examples): validation must say so despite the faults.
            const bytes = chatJsonl(i % 4 === 3 ? 3 : 24, `-${i}`);
            return { ...(await uploadDataset(api, bytes)), valid: i % 4 !== 3 };
          }),
        );
        const settled = await Promise.all(
          uploads.map((u) => datasetSettled(api, u.id, opts.boundS * 1000).catch(() => undefined)),
        );
        const validReady = uploads.filter((u, i) => u.valid && settled[i]?.status === "ready").length;
        const invalidExplained = uploads.filter(
          (u, i) => !u.valid && settled[i]?.status === "invalid" && explained(settled[i]!),
        ).length;
        const stuckUploads = settled.filter((s) => s === undefined).length;

        const trainOn = uploads.find((u, i) => u.valid && settled[i]?.status === "ready");
        const jobIds: string[] = [];
        if (trainOn) {
          for (let i = 0; i < opts.jobs; i++) {
            const r = await api.retrying<{ id: string }>("POST", "/v1/jobs", {
              model: "guardtune/tiny-random",
              training_dataset: trainOn.id,
              method: TINY_METHOD(1),
              safeguards: MIXED_SAFEGUARDS[i % MIXED_SAFEGUARDS.length],
              evaluation: NO_EVALUATION,
              seed: 200 + i,
            });
            if (r.status === 201) jobIds.push(r.body.id);
          }
        }
        const jobs = await waitForTerminal(api, jobIds, opts.boundS * 1000);
        const ended = [...jobs.ended.values()];
        const failedClearly = ended.filter((j) => j.status === "failed" && j.error?.code && j.error.message).length;
        const succeeded = ended.filter((j) => j.status === "succeeded").length;
        return verdict(
          "storage-faults",
          started,
          {
            fault_rate: opts.faultRate,
            latency_ms: opts.latencyMs,
            injected: { ...proxy!.counts },
            uploads: opts.uploads,
            valid_uploads_ready: validReady,
            invalid_uploads_explained: invalidExplained,
            uploads_not_settled: stuckUploads,
            put_statuses: countBy(uploads.map((u) => u.putStatus)),
            jobs: jobIds.length,
            jobs_succeeded: succeeded,
            jobs_failed_with_error: failedClearly,
            jobs_failed_errors: ended.filter((j) => j.status === "failed").map((j) => j.error?.code),
            jobs_not_terminal: jobs.stuck.length,
          },
          {
            "faults were injected": proxy!.counts.error500 + proxy!.counts.error503 + proxy!.counts.reset > 0,
            "every upload settled within the bound": stuckUploads === 0,
            "every valid upload ready, every invalid one explained":
              validReady === uploads.filter((u) => u.valid).length &&
              invalidExplained === uploads.filter((u) => !u.valid).length,
            "every job created": jobIds.length === opts.jobs,
            "every job ended within the bound, failures with a code and message":
              jobs.stuck.length === 0 && succeeded + failedClearly === jobIds.length,
          },
          [],
        );
      },
    );
  } finally {
    await proxy?.close();
  }
}

const explained = (d: DatasetJson) =>
  Boolean(d.error?.code && d.error.message) || (d.report?.errors ?? []).some((e) => e.code && e.message);

const countBy = (xs: number[]) => {
  const out: Record<string, number> = {};
  for (const x of xs) out[String(x)] = (out[String(x)] ?? 0) + 1;
  return out;
};
