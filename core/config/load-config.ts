import path from "node:path";
import { JudgeRegistryError, parseJudgeRegistry, type RegisteredJudge } from "../judges/judge-registry.ts";
import { judgeTargetPolicy } from "../judges/judge-target-policy.ts";
import { parseModelSources, type ModelSource } from "../models/model-sources.ts";
import { outboundUrlProblem } from "../net/outbound-guard.ts";
import { envSchema, type RawEnv } from "./env-schema.ts";

export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(
    readonly variable: string,
    readonly problem: string,
  ) {
    super(`configuration: ${variable} ${problem}`);
  }
}

export type DatabaseConfig =
  { kind: "pglite"; dataDir: string | "memory" } | { kind: "postgres"; url: string; poolSize: number };

export type AwsConfig =
  | { kind: "embedded"; region: string }
  | {
      kind: "external";
      region: string;
      endpoint: string | undefined;
      forcePathStyle: boolean;
      bucket: string;
      jobsQueueUrl: string;
      jobsDlqUrl: string | undefined;
      uploadsQueueUrl: string;
    };

export interface Config {
  mode: "embedded" | "external";
  http: { port: number; host: string };
  logLevel: RawEnv["LOG_LEVEL"];
  dataDir: string;
  bootstrapKey: string | undefined;
  /** The admin dashboard is off when unset. */
  adminKey: string | undefined;
  database: DatabaseConfig;
  aws: AwsConfig;
  uploads: {
    maxBytes: number;
    mode: "put" | "post";
    urlTtlSeconds: number;
    multipartThresholdBytes: number;
    minExamples: number;
    maxLineBytes: number;
    maxExamples: number;
  };
  webhooks: {
    allowlist: string[];
    allowHttp: boolean;
    dispatcherEnabled: boolean;
    /** Delay before attempt i+1, in ms; its length is the number of attempts. */
    retryScheduleMs: number[];
    timeoutMs: number;
    pollIntervalMs: number;
    disableAfterMs: number;
    /** Finished events older than this are pruned with their deliveries and attempts. */
    retentionMs: number;
  };
  judges: {
    /** The judges jobs may name; their keys are read from the runner's environment when used. */
    registered: RegisteredJudge[];
    allowlist: string[];
    allowHttp: boolean;
    timeoutMs: number;
    /** The registered judge a job gets when it names none (and so is gated by default); null = none. */
    defaultJudge: string | null;
  };
  queue: {
    relayEnabled: boolean;
    relayPollIntervalMs: number;
    sweepIntervalMs: number;
    resendAfterMs: number;
    idempotencyTtlMs: number;
  };
  runner: {
    enabled: boolean;
    ep: "cpu" | "webgpu";
    workerId: string | undefined;
    threads: number;
    modelCacheDir: string;
    modelCacheBytes: number;
    /** Locations jobs may name as `file://` or `s3://` models (built-ins are always allowed). */
    modelSources: ModelSource[];
    leaseMs: number;
    pollWaitMs: number;
    drainGraceMs: number;
    checkpointSteps: number;
    metricsSteps: number;
    maxVisibilityMs: number;
  };
}

/** Reads the environment into one typed object; throws ConfigError naming the first bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue.path[0] ?? "environment");
    const got = env[variable];
    throw new ConfigError(variable, `${issue.message}${got === undefined ? "" : ` (got ${JSON.stringify(got)})`}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.GUARDTUNE_DATA_DIR);

  const database: DatabaseConfig = e.DATABASE_URL
    ? { kind: "postgres", url: e.DATABASE_URL, poolSize: e.DATABASE_POOL_SIZE }
    : { kind: "pglite", dataDir: e.GUARDTUNE_DB_DIR ?? path.join(dataDir, "db") };

  let aws: AwsConfig;
  if (e.GUARDTUNE_BUCKET) {
    const need = (name: "GUARDTUNE_JOBS_QUEUE_URL" | "GUARDTUNE_UPLOADS_QUEUE_URL" | "AWS_REGION") => {
      const v = e[name];
      if (!v) throw new ConfigError(name, "is required when GUARDTUNE_BUCKET is set (external AWS mode)");
      return v;
    };
    aws = {
      kind: "external",
      region: need("AWS_REGION"),
      endpoint: e.AWS_ENDPOINT_URL,
      forcePathStyle: e.GUARDTUNE_S3_FORCE_PATH_STYLE,
      bucket: e.GUARDTUNE_BUCKET,
      jobsQueueUrl: need("GUARDTUNE_JOBS_QUEUE_URL"),
      jobsDlqUrl: e.GUARDTUNE_JOBS_DLQ_URL,
      uploadsQueueUrl: need("GUARDTUNE_UPLOADS_QUEUE_URL"),
    };
  } else {
    for (const name of ["GUARDTUNE_JOBS_QUEUE_URL", "GUARDTUNE_UPLOADS_QUEUE_URL", "GUARDTUNE_JOBS_DLQ_URL"] as const) {
      if (e[name]) throw new ConfigError(name, "is set but GUARDTUNE_BUCKET is not; set both for external AWS mode");
    }
    aws = { kind: "embedded", region: e.AWS_REGION ?? "us-east-1" };
  }

  const mode = database.kind === "pglite" && aws.kind === "embedded" ? "embedded" : "external";
  let modelSources: ModelSource[];
  try {
    modelSources = parseModelSources(listOf(e.GUARDTUNE_MODEL_SOURCES));
  } catch (err) {
    throw new ConfigError("GUARDTUNE_MODEL_SOURCES", (err as Error).message.replace(/^GUARDTUNE_MODEL_SOURCES: /, ""));
  }
  const judges = {
    registered: loadJudges(e.GUARDTUNE_JUDGES),
    allowlist: listOf(e.GUARDTUNE_JUDGE_ALLOWLIST),
    allowHttp: e.GUARDTUNE_JUDGE_ALLOW_HTTP,
    timeoutMs: e.GUARDTUNE_JUDGE_TIMEOUT,
    defaultJudge: e.GUARDTUNE_DEFAULT_JUDGE ?? null,
  };
  if (judges.defaultJudge !== null && !judges.registered.some((j) => j.name === judges.defaultJudge)) {
    throw new ConfigError(
      "GUARDTUNE_DEFAULT_JUDGE",
      `names '${judges.defaultJudge}', which GUARDTUNE_JUDGES does not register`,
    );
  }
  // A judge the outbound guard would refuse is a configuration error now, not a failed job later.
  const judgePolicy = judgeTargetPolicy({ mode, judges });
  for (const [i, j] of judges.registered.entries()) {
    const problem = outboundUrlProblem(j.base_url, judgePolicy);
    if (problem) throw new ConfigError(`GUARDTUNE_JUDGES[${i}].base_url`, problem);
  }

  return {
    mode,
    http: { port: e.PORT, host: e.HOST },
    logLevel: e.LOG_LEVEL,
    dataDir,
    bootstrapKey: e.GUARDTUNE_BOOTSTRAP_KEY,
    adminKey: e.GUARDTUNE_ADMIN_KEY,
    database,
    aws,
    uploads: {
      maxBytes: e.GUARDTUNE_MAX_UPLOAD_BYTES,
      mode: e.GUARDTUNE_UPLOAD_MODE,
      urlTtlSeconds: e.GUARDTUNE_UPLOAD_URL_TTL_SECONDS,
      multipartThresholdBytes: e.GUARDTUNE_MULTIPART_THRESHOLD_BYTES,
      minExamples: e.GUARDTUNE_MIN_EXAMPLES,
      maxLineBytes: e.GUARDTUNE_MAX_LINE_BYTES,
      maxExamples: e.GUARDTUNE_MAX_EXAMPLES,
    },
    webhooks: {
      allowlist: listOf(e.GUARDTUNE_WEBHOOK_ALLOWLIST),
      allowHttp: e.GUARDTUNE_WEBHOOK_ALLOW_HTTP,
      dispatcherEnabled: e.GUARDTUNE_WEBHOOK_DISPATCHER === "embedded",
      retryScheduleMs: e.GUARDTUNE_WEBHOOK_RETRY_SCHEDULE,
      timeoutMs: e.GUARDTUNE_WEBHOOK_TIMEOUT,
      pollIntervalMs: e.GUARDTUNE_WEBHOOK_POLL_INTERVAL,
      disableAfterMs: e.GUARDTUNE_WEBHOOK_DISABLE_AFTER,
      retentionMs: e.GUARDTUNE_WEBHOOK_RETENTION,
    },
    judges,
    queue: {
      relayEnabled: e.GUARDTUNE_QUEUE_RELAY === "embedded",
      relayPollIntervalMs: e.GUARDTUNE_QUEUE_RELAY_POLL_INTERVAL,
      sweepIntervalMs: e.GUARDTUNE_QUEUE_SWEEP_INTERVAL,
      resendAfterMs: e.GUARDTUNE_QUEUE_RESEND_AFTER,
      idempotencyTtlMs: e.GUARDTUNE_IDEMPOTENCY_TTL,
    },
    runner: {
      enabled: e.GUARDTUNE_RUNNER === "embedded",
      ep: e.GUARDTUNE_EP,
      workerId: e.GUARDTUNE_WORKER_ID,
      threads: e.GUARDTUNE_THREADS,
      modelCacheDir: e.GUARDTUNE_MODEL_CACHE_DIR ?? path.join(dataDir, "models"),
      modelCacheBytes: e.GUARDTUNE_MODEL_CACHE_BYTES,
      modelSources,
      leaseMs: e.GUARDTUNE_RUNNER_LEASE,
      pollWaitMs: e.GUARDTUNE_RUNNER_POLL_WAIT,
      drainGraceMs: e.GUARDTUNE_RUNNER_DRAIN_GRACE,
      checkpointSteps: e.GUARDTUNE_RUNNER_CHECKPOINT_STEPS,
      metricsSteps: e.GUARDTUNE_RUNNER_METRICS_STEPS,
      maxVisibilityMs: e.GUARDTUNE_RUNNER_MAX_VISIBILITY,
    },
  };
}

const listOf = (text: string) =>
  text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

function loadJudges(raw: string | undefined): RegisteredJudge[] {
  try {
    return parseJudgeRegistry(raw);
  } catch (err) {
    if (err instanceof JudgeRegistryError) throw new ConfigError(`GUARDTUNE_JUDGES${err.where}`, err.problem);
    throw err;
  }
}
