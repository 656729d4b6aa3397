import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  freePort,
  randomApiKey,
  startEmulator,
  startGuardtune,
  STARTUP_MS,
  stopProcess,
  type Emulator,
  type GuardtuneProcess,
} from "./processes.ts";

export interface TopologyOptions {
  databaseUrl: string;
  runners: number;
  /** Shared by every runner: the model and dataset caches are content-addressed and written atomically. */
  modelCacheDir: string;
  /** Extra variables for `serve` and for each runner. */
  serveEnv?: Record<string, string>;
  runnerEnv?: Record<string, string>;
  /** An endpoint in front of the emulator (a fault-injecting proxy) for serve and runners. */
  awsEndpointOverride?: (emulatorEndpoint: string) => Promise<string> | string;
  logLevel?: string;
}

export interface Topology {
  apiUrl: string;
  apiKey: string;
  emulator: Emulator;
  serve: GuardtuneProcess;
  runners: GuardtuneProcess[];
  /** Starts runner `i` again (after a kill); it replaces the entry in `runners`. */
  restartRunner(i: number): Promise<GuardtuneProcess>;
  stop(): Promise<void>;
}

/**
 * Starts emulator → serve (API + background loops, runner off) → runners, each its own process, the way
 * a deployment runs them. Every process gets only the variables the emulator wrote plus its own.
 */
export async function startTopology(opts: TopologyOptions): Promise<Topology> {
  const dir = await mkdtemp(path.join(tmpdir(), "guardtune-topology-"));
  const emulator = await startEmulator(path.join(dir, "emulator.env"));
  const started: GuardtuneProcess[] = [emulator.process];
  try {
    const endpoint = opts.awsEndpointOverride ? await opts.awsEndpointOverride(emulator.endpoint) : emulator.endpoint;
    const common = {
      ...emulator.env,
      AWS_ENDPOINT_URL: endpoint,
      DATABASE_URL: opts.databaseUrl,
      DATABASE_POOL_SIZE: "4",
      LOG_LEVEL: opts.logLevel ?? "warn",
      GUARDTUNE_DATA_DIR: path.join(dir, "data"),
      GUARDTUNE_MODEL_CACHE_DIR: opts.modelCacheDir,
    };
    const apiKey = randomApiKey();
    const port = await freePort();
    const serve = startGuardtune("serve", ["serve"], {
      ...common,
      PORT: String(port),
      GUARDTUNE_RUNNER: "off",
      GUARDTUNE_BOOTSTRAP_KEY: apiKey,
      GUARDTUNE_WEBHOOK_ALLOW_HTTP: "true",
      ...opts.serveEnv,
    });
    started.push(serve);
    const [, apiUrl] = await serve.waitForLine(/guardtune listening on (http:\/\/\S+)/, STARTUP_MS);

    const runnerEnv = (i: number) => ({
      ...common,
      GUARDTUNE_WORKER_ID: `runner-${i}`,
      GUARDTUNE_THREADS: "1",
      ...opts.runnerEnv,
    });
    const launchRunner = async (i: number) => {
      const r = startGuardtune(`runner-${i}`, ["runner"], runnerEnv(i));
      started.push(r);
      await r.waitForLine(/runner \S+ ready/, STARTUP_MS);
      return r;
    };
    const runners = await Promise.all(Array.from({ length: opts.runners }, (_, i) => launchRunner(i)));
    return {
      apiUrl,
      apiKey,
      emulator,
      serve,
      runners,
      restartRunner: async (i) => {
        runners[i] = await launchRunner(i);
        return runners[i];
      },
      stop: async () => {
        // Runners drain first, then the API, then the store they all talk to.
        await Promise.all(runners.map((r) => stopProcess(r)));
        await stopProcess(serve);
        await stopProcess(emulator.process);
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await Promise.all(started.map((p) => stopProcess(p, "SIGKILL")));
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
