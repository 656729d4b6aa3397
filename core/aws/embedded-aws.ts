import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { CreateQueueCommand, GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { startFauxqs } from "fauxqs";
import { MAX_RECEIVE_COUNT } from "../queue/sqs-queue.ts";
import { createClients, type AwsResources } from "./resources.ts";
import { forwardObjectCreated } from "./upload-notifier.ts";

export const EMBEDDED_NAMES = {
  bucket: "guardtune",
  jobsQueue: "guardtune-jobs",
  jobsDlq: "guardtune-jobs-dlq",
  uploadsQueue: "guardtune-uploads",
} as const;

export const JOBS_VISIBILITY_TIMEOUT_S = 120;

/** Static credentials the emulator is reached with (it accepts any). */
export const EMULATOR_CREDENTIALS = { accessKeyId: "guardtune", secretAccessKey: "guardtune-embedded" } as const;

/** Where uploaded objects live; the bucket notification covers this prefix (as in `infra/cdk`). */
export const UPLOADS_NOTIFY_PREFIX = "tenants/";

export interface EmbeddedAws extends AwsResources {
  region: string;
  stop(): Promise<void>;
}

export interface EmbeddedAwsOptions {
  region?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /**
   * Send S3's ObjectCreated notification to the uploads queue for every object created under
   * `tenants/`, as the bucket notification does in AWS (off in-process: the API sends its own on `/complete`).
   */
  notifyUploads?: boolean;
  /** A notification that could not be sent (the upload then waits for the API's own on `/complete`). */
  onNotifyError?: (err: unknown, key: string) => void;
}

/**
 * Starts the S3/SQS emulator in this process on a loopback port and creates guardtune's bucket and queues
 * through the real AWS SDK, exactly as `infra/` creates them in AWS.
 */
export async function startEmbeddedAws(opts: EmbeddedAwsOptions = {}): Promise<EmbeddedAws> {
  const region = opts.region ?? "us-east-1";
  const server = await startFauxqs({
    port: opts.port ?? 0,
    logger: false,
    defaultRegion: region,
    host: "localhost",
    // The notifier listens on the spy; one buffered event is the least fauxqs keeps.
    ...(opts.notifyUploads ? { messageSpies: { bufferSize: 1 } } : {}),
  });
  const endpoint = `http://127.0.0.1:${server.port}`;
  const { s3, sqs } = createClients({
    region,
    endpoint,
    forcePathStyle: true,
    credentials: EMULATOR_CREDENTIALS,
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
    const notifier = opts.notifyUploads
      ? forwardObjectCreated(server.spy, {
          s3,
          sqs,
          region,
          bucket: EMBEDDED_NAMES.bucket,
          uploadsQueueUrl: uploads.QueueUrl!,
          prefix: UPLOADS_NOTIFY_PREFIX,
          onError: opts.onNotifyError,
        })
      : undefined;
    let stopped = false;
    return {
      region,
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
        notifier?.stop();
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
