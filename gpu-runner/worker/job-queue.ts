import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";

/** One received queue message and what the runner needs to know about its delivery. */
export interface QueueMessage {
  body: string | undefined;
  receiptHandle: string;
  /** How many times SQS has delivered this message (1 on first delivery). */
  receiveCount: number;
  /** When SQS first delivered it (ms since epoch): its 12-hour visibility budget counts from here. */
  firstReceivedAt: number;
}

/** The narrow queue interface the worker is written against (SQS in production and in the emulator). */
export interface JobQueue {
  /** Long-polls for at most one message, hidden from other consumers for `visibilitySeconds`. */
  receive(opts: { waitSeconds: number; visibilitySeconds: number; signal?: AbortSignal }): Promise<QueueMessage | null>;
  delete(receiptHandle: string): Promise<void>;
  /** 0 makes the message visible again at once. */
  setVisibility(receiptHandle: string, seconds: number): Promise<void>;
}

export function sqsJobQueue(sqs: SQSClient, queueUrl: string): JobQueue {
  return {
    async receive({ waitSeconds, visibilitySeconds, signal }) {
      const out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 1,
          WaitTimeSeconds: waitSeconds,
          VisibilityTimeout: visibilitySeconds,
          MessageSystemAttributeNames: ["ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp"],
        }),
        { abortSignal: signal },
      );
      const m = out.Messages?.[0];
      if (!m?.ReceiptHandle) return null;
      const attrs = m.Attributes ?? {};
      return {
        body: m.Body,
        receiptHandle: m.ReceiptHandle,
        receiveCount: Number(attrs.ApproximateReceiveCount ?? "1") || 1,
        firstReceivedAt: Number(attrs.ApproximateFirstReceiveTimestamp ?? Date.now()) || Date.now(),
      };
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
