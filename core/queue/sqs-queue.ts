import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";

/** One received queue message and what a consumer needs to know about its delivery. */
export interface QueueMessage {
  body: string | undefined;
  receiptHandle: string;
  /** How many times SQS has delivered this message (1 on first delivery). */
  receiveCount: number;
  /** When SQS first delivered it (ms since epoch): its 12-hour visibility budget counts from here. */
  firstReceivedAt: number;
}

export interface ReceiveOptions {
  /** Long-poll wait; SQS waits at most 20 s. */
  waitSeconds: number;
  /** How long received messages stay hidden from other consumers. */
  visibilitySeconds: number;
  signal?: AbortSignal;
}

/**
 * The narrow queue interface every consumer is written against (the runner's jobs and dead-letter queues,
 * the uploads queue): SQS in production and in the embedded emulator.
 */
export interface SqsQueue {
  /** Long-polls for at most one message. */
  receive(opts: ReceiveOptions): Promise<QueueMessage | null>;
  /** Long-polls for up to `max` messages (SQS returns at most 10). */
  receiveMany(opts: ReceiveOptions & { max: number }): Promise<QueueMessage[]>;
  delete(receiptHandle: string): Promise<void>;
  /** 0 makes the message visible again at once. */
  setVisibility(receiptHandle: string, seconds: number): Promise<void>;
}

/**
 * Deliveries after which a message counts as dead: the jobs queue's redrive policy moves it to the dead-letter
 * queue (embedded emulator and `infra/`), and the uploads consumer gives up on a notification.
 */
export const MAX_RECEIVE_COUNT = 5;

/** The longest SQS long poll, seconds. */
export const SQS_MAX_WAIT_SECONDS = 20;

export function sqsQueue(sqs: SQSClient, queueUrl: string): SqsQueue {
  const receiveMany: SqsQueue["receiveMany"] = async ({ waitSeconds, visibilitySeconds, signal, max }) => {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(10, Math.max(1, max)),
        WaitTimeSeconds: Math.min(SQS_MAX_WAIT_SECONDS, waitSeconds),
        VisibilityTimeout: visibilitySeconds,
        MessageSystemAttributeNames: ["ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp"],
      }),
      { abortSignal: signal },
    );
    return (out.Messages ?? []).flatMap((m) => {
      if (!m.ReceiptHandle) return [];
      const attrs = m.Attributes ?? {};
      return [
        {
          body: m.Body,
          receiptHandle: m.ReceiptHandle,
          receiveCount: Number(attrs.ApproximateReceiveCount ?? "1") || 1,
          firstReceivedAt: Number(attrs.ApproximateFirstReceiveTimestamp ?? Date.now()) || Date.now(),
        },
      ];
    });
  };
  return {
    receiveMany,
    async receive(opts) {
      return (await receiveMany({ ...opts, max: 1 }))[0] ?? null;
    },
    async delete(receiptHandle) {
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle }));
    },
    async setVisibility(receiptHandle, seconds) {
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: receiptHandle,
          VisibilityTimeout: Math.round(seconds),
        }),
      );
    },
  };
}
