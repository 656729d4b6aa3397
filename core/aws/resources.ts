import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";

/** Where guardtune's bucket and queues live, and the real SDK clients that reach them. */
export interface AwsResources {
  s3: S3Client;
  sqs: SQSClient;
  bucket: string;
  jobsQueueUrl: string;
  jobsDlqUrl: string | undefined;
  uploadsQueueUrl: string;
  /** The emulator's base URL in embedded mode; undefined against real AWS. */
  emulatorEndpoint: string | undefined;
}

export interface ClientOptions {
  region: string;
  endpoint: string | undefined;
  forcePathStyle: boolean;
  /** Static credentials for the emulator (it accepts any); undefined lets the SDK's default chain decide. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export function createClients(opts: ClientOptions): { s3: S3Client; sqs: SQSClient } {
  const common = {
    region: opts.region,
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
  };
  return {
    s3: new S3Client({
      ...common,
      forcePathStyle: opts.forcePathStyle,
      // Checksums only when an operation requires them: presigned PUTs then sign exactly what the client sends.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    }),
    sqs: new SQSClient(common),
  };
}
