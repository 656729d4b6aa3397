import { ZodError } from "zod";
import { backoffDelayMs } from "../../core/background/backoff.ts";
import { JobError } from "../../core/errors.ts";
import { TRANSIENT_NETWORK_CODES } from "../../core/net/network-errors.ts";
import { ModelFileError } from "../models/index.ts";

/** Network failures (sockets, DNS) and PostgreSQL's connection-loss SQLSTATEs: the next attempt may succeed. */
const RETRYABLE_CODES: ReadonlySet<string> = new Set([
  ...TRANSIENT_NETWORK_CODES,
  "57P01", // admin_shutdown (the server restarts)
  "08006", // connection_failure
  "08001", // sqlclient_unable_to_establish_sqlconnection
  "08003", // connection_does_not_exist
  "53300", // too_many_connections
]);
/** AWS error codes (the SDK's `name`) that mean "slow down" or "try again": S3's and SQS's, as documented. */
const AWS_RETRYABLE_CODES = new Set([
  "ThrottlingException",
  "Throttling",
  "ThrottledException",
  "RequestThrottled",
  "RequestThrottledException",
  "SlowDown",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "ProvisionedThroughputExceededException",
  "ServiceUnavailable",
  "InternalError",
  "RequestTimeout",
  "RequestTimeTooSkewed",
]);
// onnxruntime and V8 report exhausted memory only in words (no code exists), so this one stays a pattern.
const OUT_OF_MEMORY = /array buffer allocation failed|out of memory|failed to allocate|bad_alloc|allocation failed/i;

interface AwsLikeError {
  name?: string;
  code?: string;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/**
 * Decides what a failure means for the job. Retryable: the message returns to the queue and the next
 * attempt resumes from the last checkpoint. Permanent: the job ends `failed` with a code and a message the
 * user can act on. Anything unrecognised is permanent (`internal_error`) so that a bug surfaces with its
 * message instead of burning every attempt.
 */
export function classifyFailure(err: unknown): JobError {
  if (err instanceof JobError) return err;
  const e = (typeof err === "object" && err !== null ? err : {}) as AwsLikeError & Error;
  const text = `${e.name ?? ""} ${e.message ?? String(err)}`;
  if (err instanceof ModelFileError) {
    return new JobError("model_incompatible", `The model or adapter files cannot be used: ${err.message}`, false, {
      cause: err,
      param: "model",
    });
  }
  if (err instanceof ZodError) {
    return new JobError(
      "invalid_job_config",
      `The stored job configuration is invalid: ${err.issues[0]?.message ?? err.message}`,
      false,
      { cause: err },
    );
  }
  if (OUT_OF_MEMORY.test(text)) {
    return new JobError(
      "out_of_memory",
      "Training ran out of memory. Lower method.hyperparameters.batch_size or max_seq_len, or use a smaller model.",
      false,
      { cause: err, param: "method.hyperparameters.batch_size" },
    );
  }
  const status = e.$metadata?.httpStatusCode;
  if (
    (e.code && RETRYABLE_CODES.has(e.code)) ||
    e.$retryable !== undefined ||
    (status !== undefined && (status >= 500 || status === 429)) ||
    (e.name !== undefined && AWS_RETRYABLE_CODES.has(e.name)) ||
    e.name === "TimeoutError"
  ) {
    return new JobError(
      "transient_failure",
      `A temporary infrastructure failure interrupted the job: ${e.message ?? String(err)}`,
      true,
      { cause: err },
    );
  }
  return new JobError("internal_error", `The runner failed unexpectedly: ${e.message ?? String(err)}`, false, {
    cause: err,
  });
}

/** Seconds before a retried message is delivered again: exponential in the delivery count, capped. */
export function retryDelaySeconds(receiveCount: number, baseMs: number, capSeconds = 300): number {
  return Math.round(backoffDelayMs({ baseMs, maxMs: capSeconds * 1000 }, receiveCount) / 1000);
}
