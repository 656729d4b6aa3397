import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import pg from "pg";

/**
 * The production topology on one machine, as child processes: `guardtune emulator` (S3 + SQS),
 * `guardtune serve` with the runner off (the API and the background loops), and N × `guardtune runner`,
 * all against one PostgreSQL database. The background loops still run inside `serve`; per-function entry
 * points (`guardtune relay|sweeper|dispatcher|uploads|dlq`) would each be one more `startGuardtune` here.
 */

/** How long a process may take to start: minutes, not seconds, on a shared 2-core machine under load. */
export const STARTUP_MS = 600_000;

export const ROOT = path.resolve(import.meta.dirname, "../..");
const BIN = path.join(ROOT, "bin/guardtune.mjs");

export interface GuardtuneProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** stdout and stderr so far (the last 64 KiB), for failure messages. */
  output(): string;
  /** Resolves with the first stdout/stderr line matching `pattern`; rejects if the process exits first. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  signal(sig: NodeJS.Signals): void;
}

/**
 * Runs `guardtune <args>` (or `node <script...> <args>`) with exactly `env` (plus PATH and HOME), capturing
 * its output.
 */
export function startGuardtune(
  name: string,
  args: string[],
  env: Record<string, string>,
  script: string[] = [BIN],
): GuardtuneProcess {
  const child = spawn(process.execPath, [...script, ...args], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION: "1",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const waiters: Array<{ pattern: RegExp; resolve: (m: RegExpMatchArray) => void }> = [];
  const onData = (chunk: Buffer) => {
    out = (out + chunk.toString()).slice(-65_536);
    for (const w of [...waiters]) {
      const m = out.match(w.pattern);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    name,
    child,
    exited,
    output: () => out,
    signal: (sig) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    },
    waitForLine: (pattern, timeoutMs = 60_000) => {
      const now = out.match(pattern);
      if (now) return Promise.resolve(now);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${name}: no line matching ${pattern} within ${timeoutMs} ms\n${out}`)),
          timeoutMs,
        );
        waiters.push({
          pattern,
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m);
          },
        });
        void exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`${name} exited (${code}) before printing ${pattern}\n${out}`));
        });
      });
    },
  };
}

/** Stops a process: `sig` first, SIGKILL after `graceMs`; resolves with its exit code. */
export async function stopProcess(p: GuardtuneProcess, sig: NodeJS.Signals = "SIGTERM", graceMs = 30_000) {
  p.signal(sig);
  const timer = setTimeout(() => p.signal("SIGKILL"), graceMs);
  try {
    return await p.exited;
  } finally {
    clearTimeout(timer);
  }
}

/** A port that was free a moment ago (PORT must be a fixed number; 0 is refused). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Parses the emulator's env file (`KEY='value'` lines, single quotes as the shell reads them). */
export async function readEnvFile(file: string): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const line of (await readFile(file, "utf8")).split("\n")) {
    const m = /^([A-Z0-9_]+)='(.*)'$/.exec(line);
    if (m) env[m[1]] = m[2].replace(/'\\''/g, "'");
  }
  return env;
}

export interface Emulator {
  process: GuardtuneProcess;
  endpoint: string;
  env: Record<string, string>;
}

export async function startEmulator(envFile: string): Promise<Emulator> {
  const p = startGuardtune("emulator", ["emulator", "--out", envFile], {});
  try {
    const [, endpoint] = await p.waitForLine(/emulator listening on (http:\/\/127\.0\.0\.1:\d+)/, STARTUP_MS);
    await p.waitForLine(/external-mode variables written/, STARTUP_MS);
    return { process: p, endpoint, env: await readEnvFile(envFile) };
  } catch (err) {
    p.signal("SIGKILL"); // a start-up that timed out must not leave the emulator behind
    throw err;
  }
}

/** A fresh database on the PostgreSQL server at `baseUrl`; `drop()` removes it (force-closing sessions). */
export async function createDatabase(baseUrl: string, prefix = "gt_topology") {
  const name = `${prefix}_${randomBytes(5).toString("hex")}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const dropper = new pg.Client({ connectionString: baseUrl });
      await dropper.connect();
      try {
        await dropper.query(`drop database if exists ${name} with (force)`);
      } finally {
        await dropper.end();
      }
    },
  };
}

/** A bootstrap key of the documented shape, so the API has a known key from its first start. */
export const randomApiKey = () => `gt_${randomBytes(24).toString("hex")}`;
