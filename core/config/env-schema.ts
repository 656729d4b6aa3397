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
  // Runner
  GUARDTUNE_RUNNER: z.enum(["embedded", "off"]).default("embedded"),
  GUARDTUNE_EP: z.enum(["cpu", "webgpu"]).default("cpu"),
  GUARDTUNE_WORKER_ID: optionalString,
  GUARDTUNE_THREADS: z.coerce.number().int().nonnegative().default(0),
  GUARDTUNE_MODEL_CACHE_DIR: optionalString,
  GUARDTUNE_MODEL_CACHE_BYTES: positiveInt.default(20 * 1024 * 1024 * 1024),
});

export type RawEnv = z.infer<typeof envSchema>;
