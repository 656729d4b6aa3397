import { startHeartbeat } from "../../core/background/heartbeat.ts";
import { startLoop, type Loop } from "../../core/background/loop.ts";
import { parseObjectCreated } from "../../core/aws/upload-notification.ts";
import { MAX_RECEIVE_COUNT, SQS_MAX_WAIT_SECONDS, sqsQueue, type QueueMessage } from "../../core/queue/sqs-queue.ts";
import type { AppDeps } from "../deps.ts";
import { abandonUpload, processObjectCreated } from "./process-upload.ts";

/** The uploads consumer is a `Loop` named "uploads". */
export type UploadsConsumer = Loop;

export interface UploadsConsumerOptions {
  /** SQS long-poll wait, seconds (max 20). */
  waitSeconds?: number;
  /**
   * Seconds a received message stays hidden; extended every half period while it is validated, so a crash
   * (or a poll cut short at shutdown) makes it visible again soon.
   */
  visibilitySeconds?: number;
  /** Messages validated at the same time. */
  concurrency?: number;
}

/**
 * Long-polls the uploads queue and validates each uploaded dataset. A message is deleted once every record
 * in it was handled; a failure leaves it on the queue for redelivery after the visibility timeout, and after
 * `MAX_RECEIVE_COUNT` deliveries its datasets are marked invalid instead. There is no wake-up call: a long
 * poll returns as soon as a message arrives, and cutting one short could hide a message it already received
 * until its visibility expires.
 */
export function startUploadsConsumer(
  deps: Pick<AppDeps, "db" | "aws" | "config" | "logger">,
  opts: UploadsConsumerOptions = {},
): UploadsConsumer {
  const queue = sqsQueue(deps.aws.sqs, deps.aws.uploadsQueueUrl);
  const log = deps.logger.child({ service: "uploads" });
  const visibilitySeconds = opts.visibilitySeconds ?? 60;
  const waitSeconds = opts.waitSeconds ?? SQS_MAX_WAIT_SECONDS;

  const handleOne = async (msg: QueueMessage) => {
    const heartbeat = startHeartbeat({
      intervalMs: (visibilitySeconds * 1000) / 2,
      beat: () => queue.setVisibility(msg.receiptHandle, visibilitySeconds),
      onError: (err) => log.warn({ err }, "could not extend an upload message's visibility"),
    });
    const attempts = msg.receiveCount;
    try {
      for (const rec of parseObjectCreated(msg.body ?? "")) {
        const outcome = await processObjectCreated(deps, rec, { redelivered: attempts > 1 });
        log.debug({ key: rec.key, etag: rec.etag, outcome }, "upload notification handled");
      }
      await queue.delete(msg.receiptHandle);
    } catch (err) {
      if (attempts < MAX_RECEIVE_COUNT) {
        log.error({ err, attempts }, "upload notification failed; it will be redelivered");
        return;
      }
      log.error({ err, attempts }, "upload notification failed too often; giving up");
      try {
        for (const rec of parseObjectCreated(msg.body ?? "")) await abandonUpload(deps, rec, err);
        await queue.delete(msg.receiptHandle);
      } catch (giveUpErr) {
        log.error({ err: giveUpErr }, "could not give up on an upload notification");
      }
    } finally {
      await heartbeat.stop();
    }
  };

  return startLoop({
    name: "uploads",
    logger: log,
    // A long poll waits by itself; a short one (wait 0) would spin without a pause.
    idleMs: waitSeconds > 0 ? 0 : 250,
    fetch: async (signal) => {
      const received = await queue.receiveMany({
        max: opts.concurrency ?? 4,
        waitSeconds,
        visibilitySeconds,
        signal,
      });
      return received.length > 0 ? received : null;
    },
    handle: async (messages) => {
      await Promise.all(messages.map(handleOne));
    },
  });
}
