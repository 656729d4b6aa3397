import { z } from "zod";

/**
 * Every environment variable guardtune reads, in one schema. The README's configuration table is written
 * from this list; `loadConfig` turns the raw environment into one typed object.
 */
const positiveInt = z.coerce.number().int().positive();
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));
const bool = z
  .enum(["true", "false", "1", "0", "yes", "no", ""])
  .optional()
  .transform((v) => v === "true" || v === "1" || v === "yes");

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
/** `250ms`, `5s`, `5m`, `2h`, `5d`, or a bare number of seconds, as milliseconds; NaN when malformed. */
function parseDurationMs(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  return m ? Math.round(Number(m[1]) * DURATION_UNITS_MS[m[2] ?? "s"]) : Number.NaN;
}
const durationMessage = "must be a duration like 250ms, 5s, 5m, 2h or 5d";
const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((v) => parseDurationMs(v === "" ? fallback : v))
    .refine((ms) => Number.isFinite(ms), { message: durationMessage });
const durationList = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((v) => (v.trim() === "" ? fallback : v).split(",").map(parseDurationMs))
    .refine((list) => list.length > 0 && list.every((ms) => Number.isFinite(ms)), {
      message: "must be a comma-separated list of durations like 0,5s,5m,2h",
    });

export const envSchema = z.object({
  // HTTP
  PORT: positiveInt.max(65535).default(8787),
  HOST: z.string().default("127.0.0.1"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  // Local state
  GUARDTUNE_DATA_DIR: z.string().default(".guardtune"),
  GUARDTUNE_DB_DIR: optionalString,
  GUARDTUNE_BOOTSTRAP_KEY: optionalString.refine((v) => v === undefined || /^gt_[A-Za-z0-9]{32,64}$/.test(v), {
    message: "must be gt_ followed by 32 to 64 letters or digits, e.g. gt_" + "0".repeat(40),
  }),
  /** Enables the admin dashboard (`/admin`); the same shape as an API key but never stored in the database. */
  GUARDTUNE_ADMIN_KEY: optionalString.refine((v) => v === undefined || /^gt_[A-Za-z0-9]{32,64}$/.test(v), {
    message: "must be gt_ followed by 32 to 64 letters or digits, e.g. gt_" + "0".repeat(40),
  }),
  // Database: external when DATABASE_URL is set, otherwise embedded PGlite
  DATABASE_URL: optionalString.refine((v) => v === undefined || /^postgres(ql)?:\/\//.test(v), {
    message: "must be a postgres:// or postgresql:// connection string",
  }),
  DATABASE_POOL_SIZE: positiveInt.max(200).default(10),
  // Object store and queues: external when GUARDTUNE_BUCKET is set, otherwise the in-process emulator
  AWS_REGION: optionalString,
  AWS_ENDPOINT_URL: optionalString.refine((v) => v === undefined || /^https?:\/\//.test(v), {
    message: "must be an http(s) URL",
  }),
  GUARDTUNE_BUCKET: optionalString,
  GUARDTUNE_JOBS_QUEUE_URL: optionalString,
  GUARDTUNE_JOBS_DLQ_URL: optionalString,
  GUARDTUNE_UPLOADS_QUEUE_URL: optionalString,
  GUARDTUNE_S3_FORCE_PATH_STYLE: bool,
  // Datasets
  GUARDTUNE_MAX_UPLOAD_BYTES: positiveInt.default(512 * 1024 * 1024),
  GUARDTUNE_UPLOAD_MODE: z.enum(["put", "post"]).default("put"),
  GUARDTUNE_UPLOAD_URL_TTL_SECONDS: positiveInt.max(900).default(900),
  GUARDTUNE_MULTIPART_THRESHOLD_BYTES: positiveInt.default(64 * 1024 * 1024),
  GUARDTUNE_MIN_EXAMPLES: z.coerce.number().int().nonnegative().default(10),
  GUARDTUNE_MAX_LINE_BYTES: positiveInt.default(1024 * 1024),
  GUARDTUNE_MAX_EXAMPLES: positiveInt.default(1_000_000),
  // Webhooks
  GUARDTUNE_WEBHOOK_ALLOWLIST: z.string().default(""),
  GUARDTUNE_WEBHOOK_ALLOW_HTTP: bool,
  GUARDTUNE_WEBHOOK_DISPATCHER: z.enum(["embedded", "off"]).default("embedded"),
  /** Delay before each attempt (the first is usually 0); the default is the Standard Webhooks example schedule. */
  GUARDTUNE_WEBHOOK_RETRY_SCHEDULE: durationList("0,5s,5m,30m,2h,5h,10h,14h,20h,24h"),
  GUARDTUNE_WEBHOOK_TIMEOUT: duration("15s"),
  GUARDTUNE_WEBHOOK_POLL_INTERVAL: duration("1s"),
  /** An endpoint whose every delivery failed for this long is disabled. */
  GUARDTUNE_WEBHOOK_DISABLE_AFTER: duration("5d"),
  /** Delivered (or finally failed) events, with their deliveries and attempts, are deleted after this long. */
  GUARDTUNE_WEBHOOK_RETENTION: duration("30d"),
  // Judges: operator-registered OpenAI-compatible endpoints that jobs name in evaluation.broad.judge
  GUARDTUNE_JUDGES: optionalString,
  /** A registered judge used when a job names none; with a judge, every job is gated by default. */
  GUARDTUNE_DEFAULT_JUDGE: optionalString,
  GUARDTUNE_JUDGE_ALLOWLIST: z.string().default(""),
  GUARDTUNE_JUDGE_ALLOW_HTTP: bool,
  GUARDTUNE_JUDGE_TIMEOUT: duration("60s"),
  // Jobs queue: the outbox relay and the sweeper that republishes lost messages
  GUARDTUNE_QUEUE_RELAY: z.enum(["embedded", "off"]).default("embedded"),
  GUARDTUNE_QUEUE_RELAY_POLL_INTERVAL: duration("1s"),
  GUARDTUNE_QUEUE_SWEEP_INTERVAL: duration("30s"),
  /** A queued job whose last message went out this long ago (and is still not claimed) gets a new one. */
  GUARDTUNE_QUEUE_RESEND_AFTER: duration("15m"),
  /** How long an Idempotency-Key is remembered. */
  GUARDTUNE_IDEMPOTENCY_TTL: duration("24h"),
  // Runner
  GUARDTUNE_RUNNER: z.enum(["embedded", "off"]).default("embedded"),
  GUARDTUNE_EP: z.enum(["cpu", "webgpu"]).default("cpu"),
  GUARDTUNE_WORKER_ID: optionalString,
  GUARDTUNE_THREADS: z.coerce.number().int().nonnegative().default(0),
  GUARDTUNE_MODEL_CACHE_DIR: optionalString,
  /**
   * Comma-separated `file:///dir` and `s3://bucket/prefix/` locations jobs may load base models from (built-in
   * models are always allowed); empty = built-in models only.
   */
  GUARDTUNE_MODEL_SOURCES: z.string().default(""),
  GUARDTUNE_MODEL_CACHE_BYTES: positiveInt.default(20 * 1024 * 1024 * 1024),
  /** How long a runner's claim on a job lasts without renewal (renewed every third of it). */
  GUARDTUNE_RUNNER_LEASE: duration("60s"),
  /** SQS long-poll wait of the runner's receive. */
  GUARDTUNE_RUNNER_POLL_WAIT: duration("20s"),
  /** SIGTERM: time to checkpoint and hand the job back before the process exits anyway. */
  GUARDTUNE_RUNNER_DRAIN_GRACE: duration("30s"),
  GUARDTUNE_RUNNER_CHECKPOINT_STEPS: positiveInt.default(50),
  GUARDTUNE_RUNNER_METRICS_STEPS: positiveInt.default(10),
  /** SQS keeps a message invisible for at most 12 h after its first receipt; the runner stops extending before. */
  GUARDTUNE_RUNNER_MAX_VISIBILITY: duration("710m"),
});

export type RawEnv = z.infer<typeof envSchema>;
