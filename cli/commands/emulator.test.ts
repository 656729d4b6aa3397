import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { HeadBucketCommand } from "@aws-sdk/client-s3";
import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { afterAll, expect, it } from "vitest";
import { startEmulator, stopProcess } from "../../bench/topology/processes.ts";
import { connectAws } from "../../core/aws/connect-aws.ts";
import { loadConfig } from "../../core/config/load-config.ts";

const dir = await mkdtemp(path.join(tmpdir(), "guardtune-emulator-"));
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

it("runs as its own process and writes the variables that put serve and runner in external mode", async () => {
  const envFile = path.join(dir, "emulator.env");
  const emulator = await startEmulator(envFile);
  try {
    expect(emulator.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const config = loadConfig({ ...emulator.env, DATABASE_URL: "postgres://postgres@127.0.0.1:5432/x" });
    expect(config.aws).toMatchObject({ kind: "external", endpoint: emulator.endpoint, forcePathStyle: true });
    // The credentials come from the file too: the SDK's default chain reads them from the environment.
    process.env.AWS_ACCESS_KEY_ID = emulator.env.AWS_ACCESS_KEY_ID;
    process.env.AWS_SECRET_ACCESS_KEY = emulator.env.AWS_SECRET_ACCESS_KEY;
    const aws = await connectAws(config.aws);
    try {
      await aws.s3.send(new HeadBucketCommand({ Bucket: aws.bucket }));
      const jobs = await aws.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: aws.jobsQueueUrl, AttributeNames: ["RedrivePolicy"] }),
      );
      const redrive = JSON.parse(jobs.Attributes!.RedrivePolicy!);
      expect(redrive.deadLetterTargetArn).toMatch(/guardtune-jobs-dlq$/);
      expect(Number(redrive.maxReceiveCount)).toBe(5);
      await aws.sqs.send(new GetQueueAttributesCommand({ QueueUrl: aws.uploadsQueueUrl, AttributeNames: ["All"] }));
    } finally {
      await aws.stop();
      delete process.env.AWS_ACCESS_KEY_ID;
      delete process.env.AWS_SECRET_ACCESS_KEY;
    }
  } finally {
    expect(await stopProcess(emulator.process)).toBe(0);
  }
  // A stopped emulator leaves no file pointing at a dead port.
  await expect(stat(envFile)).rejects.toThrow();
});
