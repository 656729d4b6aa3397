import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { EMULATOR_CREDENTIALS, startEmbeddedAws, type EmbeddedAws } from "../../core/aws/embedded-aws.ts";

const USAGE = "usage: guardtune emulator [--port P] [--data-dir D] [--env-file FILE | --out FILE] [--region R]\n";

/**
 * The variables that point `guardtune serve` and `guardtune runner` at this emulator in external mode
 * (the same ones a deployment sets for real S3 and SQS).
 */
export function externalModeEnv(aws: EmbeddedAws): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: aws.emulatorEndpoint!,
    AWS_REGION: aws.region,
    AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
    GUARDTUNE_S3_FORCE_PATH_STYLE: "true",
    GUARDTUNE_BUCKET: aws.bucket,
    GUARDTUNE_JOBS_QUEUE_URL: aws.jobsQueueUrl,
    GUARDTUNE_JOBS_DLQ_URL: aws.jobsDlqUrl ?? "",
    GUARDTUNE_UPLOADS_QUEUE_URL: aws.uploadsQueueUrl,
  };
}

/** Shell syntax (`set -a; . FILE`) that is also dotenv syntax: values are single-quoted. */
export function formatEnvFile(env: Record<string, string>): string {
  const quote = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`;
  return Object.entries(env)
    .map(([k, v]) => `${k}=${quote(v)}\n`)
    .join("");
}

/**
 * `guardtune emulator`: the S3/SQS emulator of the embedded stack as its own process — bucket, jobs queue
 * with its dead-letter queue and redrive, uploads queue, and S3's upload notification — so that an API
 * (`GUARDTUNE_RUNNER=off guardtune serve`) and any number of `guardtune runner` processes share it as
 * they share S3 and SQS in AWS. State lives in memory: stopping the emulator loses objects and messages.
 */
export async function emulatorCommand(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: "string", default: "0" },
        "data-dir": { type: "string", default: process.env.GUARDTUNE_DATA_DIR ?? ".guardtune" },
        "env-file": { type: "string" },
        // Node 20 itself reads `--env-file` anywhere on the command line and exits when FILE does not exist
        // yet (it loads it when it does); `--out` is the same option without that clash.
        out: { type: "string" },
        region: { type: "string", default: process.env.AWS_REGION ?? "us-east-1" },
      },
    }));
  } catch (err) {
    process.stderr.write(`guardtune emulator: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`guardtune emulator: --port must be an integer from 0 to 65535 (got ${values.port})\n`);
    return 2;
  }
  const envFile = path.resolve(values.out ?? values["env-file"] ?? path.join(values["data-dir"], "emulator.env"));
  const aws = await startEmbeddedAws({
    port,
    region: values.region,
    notifyUploads: true,
    onNotifyError: (err, key) =>
      process.stderr.write(`guardtune emulator: upload notification for ${key} failed: ${String(err)}\n`),
  });
  await mkdir(path.dirname(envFile), { recursive: true });
  await writeFile(envFile, formatEnvFile(externalModeEnv(aws)));
  process.stdout.write(`emulator listening on ${aws.emulatorEndpoint}\n`);
  process.stdout.write(`external-mode variables written to ${envFile}\n`);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once("SIGTERM", resolve);
    process.once("SIGINT", resolve);
  });
  process.stderr.write(`guardtune emulator: ${signal}, stopping\n`);
  await aws.stop();
  // The variables point at a port nobody listens on any more.
  await rm(envFile, { force: true });
  return 0;
}
