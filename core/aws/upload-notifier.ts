import { HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { MessageSpyReader, SpyMessage } from "fauxqs";
import { objectCreatedNotification, unquote } from "./upload-notification.ts";

export interface UploadNotifierOptions {
  s3: S3Client;
  sqs: SQSClient;
  region: string;
  bucket: string;
  uploadsQueueUrl: string;
  /** Only keys under this prefix notify, as the bucket notification in `infra/cdk` is configured. */
  prefix: string;
  onError?: (err: unknown, key: string) => void;
}

/**
 * Gives the emulator S3's bucket notification: every object created under `prefix` (a presigned PUT, a
 * completed multipart upload) puts the same ObjectCreated JSON S3 would send on the uploads queue, so
 * datasets are validated without the client calling `/complete`. The API's own notification on `/complete`
 * may arrive too; the consumer dedupes on key + ETag.
 *
 * fauxqs has no notification configuration, but its message spy sees every S3 write. A waiter whose filter
 * never matches is called synchronously for each new spy event and stays registered, which makes it a
 * listener; size and ETag, which the spy event lacks, come from a HeadObject as S3's record carries them.
 */
export function forwardObjectCreated(spy: MessageSpyReader, opts: UploadNotifierOptions): { stop(): void } {
  let stopped = false;
  const send = async (key: string) => {
    const head = await opts.s3.send(new HeadObjectCommand({ Bucket: opts.bucket, Key: key }));
    const etag = unquote(head.ETag ?? "");
    await opts.sqs.send(
      new SendMessageCommand({
        QueueUrl: opts.uploadsQueueUrl,
        MessageBody: objectCreatedNotification({
          region: opts.region,
          bucket: opts.bucket,
          key,
          size: head.ContentLength ?? 0,
          etag,
          // S3's ETag of a multipart object ends in -<parts>.
          multipart: /-\d+$/.test(etag),
        }),
      }),
    );
  };
  const listener = (m: SpyMessage) => {
    if (stopped) return false;
    if (m.service === "s3" && m.status === "uploaded" && m.bucket === opts.bucket && m.key.startsWith(opts.prefix)) {
      send(m.key).catch((err: unknown) => opts.onError?.(err, m.key));
    }
    return false;
  };
  // Never resolves; rejected only when the spy is cleared, which ends the listening too.
  spy.waitForMessage(listener).catch(() => undefined);
  return {
    stop: () => {
      stopped = true;
    },
  };
}
