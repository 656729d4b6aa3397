import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { objectCreatedNotification } from "../../core/aws/upload-notification.ts";
import type { AppDeps } from "../deps.ts";

/**
 * Puts the ObjectCreated notification S3 would send on the uploads queue. Always sent, also against real
 * S3 (which may send its own): the consumer dedupes on key + ETag, and stores without notifications work.
 */
export async function enqueueObjectCreated(
  deps: Pick<AppDeps, "aws" | "config">,
  object: { key: string; size: number; etag: string; multipart: boolean },
): Promise<void> {
  await deps.aws.sqs.send(
    new SendMessageCommand({
      QueueUrl: deps.aws.uploadsQueueUrl,
      MessageBody: objectCreatedNotification({ region: deps.config.aws.region, bucket: deps.aws.bucket, ...object }),
    }),
  );
}
