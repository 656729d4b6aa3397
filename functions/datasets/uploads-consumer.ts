import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  type Message,
} from "@aws-sdk/client-sqs";
import { parseObjectCreated } from "../../core/datasets/upload-notification.ts";
import type { AppDeps } from "../deps.ts";
import { abandonUpload, processObjectCreated } from "./process-upload.ts";

/** After this many deliveries of one notification, its datasets are marked invalid instead of retried. */
export const MAX_UPLOAD_ATTEMPTS = 5;

export interface UploadsConsumer {
  readonly name: "uploads";
  stop(): Promise<void>;
}

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
 * Long-polls the uploads queue and validates each uploaded dataset. A message is deleted once every
 * record in it was handled; a failure leaves it on the queue for redelivery after the visibility timeout.
 * There is no wake-up call: a long poll returns as soon as a message arrives, and cutting one short could
 * hide a message it already received until its visibility expires.
 */
export function startUploadsConsumer(
  deps: Pick<AppDeps, "db" | "aws" | "config" | "logger">,
  opts: UploadsConsumerOptions = {},
): UploadsConsumer {
  const { sqs, uploadsQueueUrl } = deps.aws;
  const log = deps.logger.child({ service: "uploads" });
  let stopped = false;
  let poll: AbortController | undefined;
  let backoff: { timer: NodeJS.Timeout; resolve: () => void } | undefined;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      backoff = { timer: setTimeout(resolve, ms), resolve };
    });

  const visibility = opts.visibilitySeconds ?? 60;
  const handle = async (msg: Message) => {
    const heartbeat = setInterval(
      () => {
        sqs
          .send(
            new ChangeMessageVisibilityCommand({
              QueueUrl: uploadsQueueUrl,
              ReceiptHandle: msg.ReceiptHandle,
              VisibilityTimeout: visibility,
            }),
          )
          .catch((err: unknown) => log.warn({ err }, "could not extend an upload message's visibility"));
      },
      (visibility * 1000) / 2,
    );
    const attempts = Number(msg.Attributes?.ApproximateReceiveCount ?? 1);
    try {
      for (const rec of parseObjectCreated(msg.Body ?? "")) {
        const outcome = await processObjectCreated(deps, rec, { redelivered: attempts > 1 });
        log.debug({ key: rec.key, etag: rec.etag, outcome }, "upload notification handled");
      }
      await sqs.send(new DeleteMessageCommand({ QueueUrl: uploadsQueueUrl, ReceiptHandle: msg.ReceiptHandle }));
    } catch (err) {
      if (attempts < MAX_UPLOAD_ATTEMPTS) {
        log.error({ err, messageId: msg.MessageId, attempts }, "upload notification failed; it will be redelivered");
        return;
      }
      log.error({ err, messageId: msg.MessageId, attempts }, "upload notification failed too often; giving up");
      try {
        for (const rec of parseObjectCreated(msg.Body ?? "")) await abandonUpload(deps, rec, err);
        await sqs.send(new DeleteMessageCommand({ QueueUrl: uploadsQueueUrl, ReceiptHandle: msg.ReceiptHandle }));
      } catch (giveUpErr) {
        log.error({ err: giveUpErr, messageId: msg.MessageId }, "could not give up on an upload notification");
      }
    } finally {
      clearInterval(heartbeat);
    }
  };

  const loop = async () => {
    while (!stopped) {
      poll = new AbortController();
      try {
        const res = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: uploadsQueueUrl,
            MaxNumberOfMessages: opts.concurrency ?? 4,
            WaitTimeSeconds: opts.waitSeconds ?? 20,
            VisibilityTimeout: visibility,
            MessageSystemAttributeNames: ["ApproximateReceiveCount"],
          }),
          { abortSignal: poll.signal },
        );
        await Promise.all((res.Messages ?? []).map(handle));
      } catch (err) {
        if (stopped) break;
        log.warn({ err }, "receiving from the uploads queue failed; retrying");
        await sleep(1000);
      }
    }
  };
  const running = loop();

  return {
    name: "uploads",
    stop: async () => {
      stopped = true;
      poll?.abort();
      if (backoff) {
        clearTimeout(backoff.timer);
        backoff.resolve();
      }
      await running;
    },
  };
}
