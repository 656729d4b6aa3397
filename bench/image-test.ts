/**
 * `npm run image:test`: builds the container image and runs the production topology from it — the emulator,
 * the API (`serve`, runner off) and two runners, each a container on the host network against PostgreSQL —
 * then trains a job to `succeeded` and drains a runner with `podman stop` (SIGTERM) in the middle of a
 * second one, which the other runner resumes and finishes. Not part of `npm test` (it builds an image).
 *
 * Environment: DATABASE_URL (a PostgreSQL server; default the local one), GUARDTUNE_BASE_IMAGE (the
 * Dockerfile's BASE_IMAGE; default its own), GUARDTUNE_BUILD_CA (a CA bundle for package downloads during
 * the build, mounted, never baked in), PODMAN (default `podman --runtime runc`).
 */
import { execFile } from "node:child_process";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { ApiClient, demoDatasetJsonl } from "../cli/commands/demo-support.ts";
import { createDatabase, freePort, randomApiKey, readEnvFile, ROOT } from "./topology/processes.ts";
import { sha256Hex, waitUntil } from "./topology/client.ts";

const run = promisify(execFile);
const PODMAN = (process.env.PODMAN ?? "podman --runtime runc").split(" ");
const IMAGE = "localhost/guardtune:image-test";
const podman = async (...args: string[]) =>
  (await run(PODMAN[0], [...PODMAN.slice(1), ...args], { cwd: ROOT, maxBuffer: 64 << 20 })).stdout.trim();

const log = (line: string) => process.stdout.write(`${line}\n`);
const containers: string[] = [];

async function build(): Promise<void> {
  const args = ["build", "--runtime", "runc", "--network", "host", "-f", "gpu-runner/Dockerfile", "-t", IMAGE];
  if (process.env.GUARDTUNE_BASE_IMAGE) args.push("--build-arg", `BASE_IMAGE=${process.env.GUARDTUNE_BASE_IMAGE}`);
  const ca = process.env.GUARDTUNE_BUILD_CA;
  if (ca) {
    const npmrc = path.join(await mkdtemp(path.join(tmpdir(), "guardtune-npmrc-")), "npmrc");
    await writeFile(npmrc, `cafile=${ca}\n`);
    args.push("--volume", `${path.dirname(ca)}:${path.dirname(ca)}:ro`, "--volume", `${npmrc}:/root/.npmrc:ro`);
  }
  const started = performance.now();
  await podman(...args, ".");
  const bytes = Number(await podman("image", "inspect", "--format", "{{.Size}}", IMAGE));
  const user = await podman("image", "inspect", "--format", "{{.Config.User}}", IMAGE);
  log(
    `built ${IMAGE} in ${((performance.now() - started) / 1000).toFixed(0)} s: ${(bytes / 1e6).toFixed(0)} MB, user ${user}`,
  );
  if (!user || user.startsWith("root") || user.startsWith("0")) throw new Error(`the image runs as ${user || "root"}`);
}

async function startContainer(name: string, env: Record<string, string>, args: string[], volumes: string[] = []) {
  await podman("rm", "-f", name).catch(() => undefined);
  const envArgs = Object.entries(env).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
  const volArgs = volumes.flatMap((v) => ["--volume", v]);
  await podman("run", "-d", "--name", name, "--network", "host", ...envArgs, ...volArgs, IMAGE, ...args);
  containers.push(name);
}

async function waitForLog(name: string, pattern: RegExp, timeoutMs = 120_000): Promise<RegExpMatchArray> {
  return waitUntil(
    async () => {
      const { stdout, stderr } = await run(PODMAN[0], [...PODMAN.slice(1), "logs", name]);
      return (stdout + stderr).match(pattern) ?? undefined;
    },
    timeoutMs,
    `${name} to print ${pattern}`,
  );
}

async function main(): Promise<number> {
  const baseUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  await build();
  const db = await createDatabase(baseUrl, "gt_image_test");
  const shared = await mkdtemp(path.join(tmpdir(), "guardtune-image-"));
  await chmod(shared, 0o777); // written by the container's unprivileged user
  const sql = new pg.Client({ connectionString: db.url });
  try {
    const emulatorPort = await freePort();
    await startContainer(
      "gt-emulator",
      {},
      ["emulator", "--port", String(emulatorPort), "--out", "/shared/emulator.env"],
      [`${shared}:/shared`],
    );
    await waitForLog("gt-emulator", /external-mode variables written/);
    const awsEnv = await readEnvFile(path.join(shared, "emulator.env"));
    const common = { ...awsEnv, DATABASE_URL: db.url, LOG_LEVEL: "info", DATABASE_POOL_SIZE: "4" };

    const apiKey = randomApiKey();
    const port = await freePort();
    await startContainer(
      "gt-api",
      { ...common, PORT: String(port), GUARDTUNE_RUNNER: "off", GUARDTUNE_BOOTSTRAP_KEY: apiKey },
      ["serve"],
    );
    await waitForLog("gt-api", /guardtune listening on/);
    const runnerEnv = (id: string) => ({
      ...common,
      GUARDTUNE_WORKER_ID: id,
      GUARDTUNE_THREADS: "1",
      GUARDTUNE_RUNNER_POLL_WAIT: "2s",
      GUARDTUNE_RUNNER_CHECKPOINT_STEPS: "5",
      GUARDTUNE_RUNNER_DRAIN_GRACE: "30s",
    });
    for (const id of ["runner-a", "runner-b"]) {
      await startContainer(`gt-${id}`, runnerEnv(id), ["runner"]);
      await waitForLog(`gt-${id}`, /runner \S+ ready/);
    }
    log("emulator, API and two runners are up (containers, host network)");

    const api = new ApiClient(`http://127.0.0.1:${port}`, apiKey);
    const bytes = Buffer.from(demoDatasetJsonl(40));
    const created = await api.call<{
      dataset: { id: string };
      upload: { url: string; headers: Record<string, string> };
    }>("POST", "/v1/datasets", {
      filename: "train.jsonl",
      purpose: "fine-tune",
      bytes: bytes.length,
      sha256: sha256Hex(bytes),
    });
    const put = await fetch(created.upload.url, { method: "PUT", headers: created.upload.headers, body: bytes });
    if (!put.ok) throw new Error(`presigned PUT → ${put.status}`);
    await waitUntil(
      async () =>
        (await api.call<{ status: string }>("GET", `/v1/datasets/${created.dataset.id}`)).status === "ready"
          ? true
          : undefined,
      60_000,
      "the dataset to be validated (emulator notification, no /complete)",
    );
    const createJob = (epochs: number) =>
      api.call<{ id: string }>("POST", "/v1/jobs", {
        model: "guardtune/tiny-random",
        training_dataset: created.dataset.id,
        method: {
          type: "supervised",
          hyperparameters: {
            n_epochs: epochs,
            batch_size: 2,
            learning_rate: 1e-3,
            max_seq_len: 64,
            lora: { rank: 4, alpha: 8 },
          },
        },
        safeguards: [{ type: "kl", lambda: 0.1 }],
        evaluation: { broad: false, probe: false, in_domain: false },
        seed: 11,
      });
    const status = async (id: string) => (await api.call<{ status: string }>("GET", `/v1/jobs/${id}`)).status;
    const terminal = (id: string, timeoutMs: number) =>
      waitUntil(
        async () => {
          const s = await status(id);
          return ["succeeded", "failed", "cancelled"].includes(s) ? s : undefined;
        },
        timeoutMs,
        `job ${id} to end`,
      );

    const first = await createJob(1);
    const firstStatus = await terminal(first.id, 300_000);
    log(`job 1 (20 steps): ${firstStatus}`);

    await sql.connect();
    const second = await createJob(6);
    const owner = await waitUntil(
      async () => {
        const { rows } = await sql.query(
          "select j.lease_owner, (select max(step) from job_events e where e.job_id = j.id and e.type = 'metrics') as step from jobs j where j.id = $1",
          [second.id],
        );
        return rows[0]?.lease_owner && Number(rows[0].step) >= 8 ? (rows[0].lease_owner as string) : undefined;
      },
      300_000,
      "job 2 to be training",
    );
    const stopStarted = performance.now();
    await podman("stop", "-t", "40", `gt-${owner}`);
    const stopMs = performance.now() - stopStarted;
    const exitCode = await podman("inspect", "--format", "{{.State.ExitCode}}", `gt-${owner}`);
    const { rows: events } = await sql.query(
      "select type, step from job_events where job_id = $1 and type in ('job.interrupted', 'checkpoint.saved') order by seq",
      [second.id],
    );
    log(
      `podman stop gt-${owner}: exit ${exitCode} after ${(stopMs / 1000).toFixed(1)} s; events: ${events.map((e) => e.type).join(", ")}`,
    );
    const secondStatus = await terminal(second.id, 600_000);
    const { rows: job } = await sql.query("select attempts from jobs where id = $1", [second.id]);
    log(`job 2 (120 steps, drained mid-job): ${secondStatus} after ${job[0].attempts} attempts`);

    const ok =
      firstStatus === "succeeded" &&
      secondStatus === "succeeded" &&
      exitCode === "0" &&
      events.some((e) => e.type === "job.interrupted") &&
      job[0].attempts >= 2;
    log(`verdict: ${ok ? "PASS" : "FAIL"}`);
    return ok ? 0 : 1;
  } finally {
    for (const name of containers.reverse()) await podman("rm", "-f", "-t", "5", name).catch(() => undefined);
    await sql.end().catch(() => undefined);
    await db.drop();
    await rm(shared, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`image test: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
