import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { CreateQueueCommand, GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { startFauxqs } from "fauxqs";
import { MAX_RECEIVE_COUNT } from "../queue/sqs-queue.ts";
import { createClients, type AwsResources } from "./resources.ts";

export const EMBEDDED_NAMES = {
  bucket: "guardtune",
  jobsQueue: "guardtune-jobs",
  jobsDlq: "guardtune-jobs-dlq",
  uploadsQueue: "guardtune-uploads",
} as const;

export const JOBS_VISIBILITY_TIMEOUT_S = 120;

export interface EmbeddedAws extends AwsResources {
  stop(): Promise<void>;
}

/**
 * Starts the S3/SQS emulator in this process on a loopback port and creates guardtune's bucket and queues
 * through the real AWS SDK, exactly as `infra/` creates them in AWS.
 */
export async function startEmbeddedAws(opts: { region?: string; port?: number } = {}): Promise<EmbeddedAws> {
  const region = opts.region ?? "us-east-1";
  const server = await startFauxqs({ port: opts.port ?? 0, logger: false, defaultRegion: region, host: "localhost" });
  const endpoint = `http://127.0.0.1:${server.port}`;
  const { s3, sqs } = createClients({
    region,
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: "guardtune", secretAccessKey: "guardtune-embedded" },
  });
  try {
    await s3.send(new CreateBucketCommand({ Bucket: EMBEDDED_NAMES.bucket }));
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: EMBEDDED_NAMES.jobsDlq }));
    const dlqAttrs = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ["QueueArn"] }),
    );
    const jobs = await sqs.send(
      new CreateQueueCommand({
        QueueName: EMBEDDED_NAMES.jobsQueue,
        Attributes: {
          VisibilityTimeout: String(JOBS_VISIBILITY_TIMEOUT_S),
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: dlqAttrs.Attributes?.QueueArn,
            maxReceiveCount: String(MAX_RECEIVE_COUNT),
          }),
        },
      }),
    );
    const uploads = await sqs.send(new CreateQueueCommand({ QueueName: EMBEDDED_NAMES.uploadsQueue }));
    let stopped = false;
    return {
      s3,
      sqs,
      bucket: EMBEDDED_NAMES.bucket,
      jobsQueueUrl: jobs.QueueUrl!,
      jobsDlqUrl: dlq.QueueUrl!,
      uploadsQueueUrl: uploads.QueueUrl!,
      emulatorEndpoint: endpoint,
      stop: async () => {
        if (stopped) return;
        stopped = true;
        s3.destroy();
        sqs.destroy();
        await server.stop();
      },
    };
  } catch (err) {
    await server.stop();
    throw err;
  }
}
