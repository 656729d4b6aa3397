import type { AwsConfig } from "../config/load-config.ts";
import { startEmbeddedAws } from "./embedded-aws.ts";
import { createClients, type AwsResources } from "./resources.ts";

export interface AwsHandle extends AwsResources {
  stop(): Promise<void>;
}

/** Embedded: the in-process emulator. External: real AWS (or any S3/SQS-compatible endpoint). */
export async function connectAws(config: AwsConfig): Promise<AwsHandle> {
  if (config.kind === "embedded") return startEmbeddedAws({ region: config.region });
  const { s3, sqs } = createClients({
    region: config.region,
    endpoint: config.endpoint,
    forcePathStyle: config.forcePathStyle,
  });
  return {
    s3,
    sqs,
    bucket: config.bucket,
    jobsQueueUrl: config.jobsQueueUrl,
    jobsDlqUrl: config.jobsDlqUrl,
    uploadsQueueUrl: config.uploadsQueueUrl,
    emulatorEndpoint: undefined,
    stop: async () => {
      s3.destroy();
      sqs.destroy();
    },
  };
}
