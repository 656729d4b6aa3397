import { SendMessageBatchCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { z } from "zod";
import type { AwsResources } from "../aws/resources.ts";

/**
 * The jobs queue's message: which job, and which attempt the message was written for. Postgres holds
 * everything else; SQS delivers at least once, so consumers claim the job atomically and drop duplicates.
 * `attempt` is 1 + the job's `attempts` (claims so far) when the message was queued.
 */
export const jobMessageSchema = z.strictObject({
  job_id: z.string().regex(/^ftjob_[0-9a-z]{26}$/, "must be a job id (ftjob_…)"),
  attempt: z.number().int().min(1),
});
export type JobMessage = z.infer<typeof jobMessageSchema>;

/**
 * How long a runner keeps its job's message invisible per lease renewal: a margin beyond the lease, so that
 * after a crash the lease has expired by the time the message returns and the next receiver can claim the job.
 */
export function jobMessageVisibilitySeconds(leaseMs: number): number {
  const lease = leaseMs / 1000;
  return Math.ceil(lease + Math.max(2, lease / 4));
}

/** A message body that is not a job message (poison): delete it, never retry it. */
export class InvalidJobMessageError extends Error {
  override readonly name = "InvalidJobMessageError";
  constructor(
    readonly body: string | undefined,
    reason: string,
  ) {
    super(`invalid job message: ${reason}`);
  }
}

/** Parses an SQS message body; throws `InvalidJobMessageError` saying what is wrong. */
export function parseJobMessage(body: string | undefined): JobMessage {
  if (body === undefined) throw new InvalidJobMessageError(body, "empty body");
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new InvalidJobMessageError(body, "body is not JSON");
  }
  const parsed = jobMessageSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidJobMessageError(body, `${issue.path.join(".") || "body"}: ${issue.message}`);
  }
  return parsed.data;
}

export const serializeJobMessage = (msg: JobMessage): string => JSON.stringify(jobMessageSchema.parse(msg));

/** Publishes one message to the jobs queue; returns the SQS message id. */
export async function sendJobMessage(
  aws: Pick<AwsResources, "sqs" | "jobsQueueUrl">,
  msg: JobMessage,
): Promise<string> {
  const out = await aws.sqs.send(
    new SendMessageCommand({ QueueUrl: aws.jobsQueueUrl, MessageBody: serializeJobMessage(msg) }),
  );
  return out.MessageId ?? "";
}

/** SQS takes at most this many messages per batch call. */
export const SQS_BATCH_MAX = 10;

/**
 * Publishes up to 10 messages in one call. Resolves with the indexes that failed (with SQS's reason); a
 * failure of the call itself rejects.
 */
export async function sendJobMessageBatch(
  aws: Pick<AwsResources, "sqs" | "jobsQueueUrl">,
  msgs: readonly JobMessage[],
): Promise<Map<number, string>> {
  if (msgs.length === 0) return new Map();
  if (msgs.length > SQS_BATCH_MAX) throw new Error(`sendJobMessageBatch: at most ${SQS_BATCH_MAX} messages`);
  const out = await aws.sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: aws.jobsQueueUrl,
      Entries: msgs.map((m, i) => ({ Id: String(i), MessageBody: serializeJobMessage(m) })),
    }),
  );
  return new Map((out.Failed ?? []).map((f) => [Number(f.Id), `${f.Code ?? "error"}: ${f.Message ?? ""}`]));
}
