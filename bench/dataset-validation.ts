/**
 * Dataset validation throughput: MB/s and examples/s of the streaming validator, (1) over bytes already in
 * memory (the validator's own CPU cost) and (2) end to end through the object store emulator (GetObject body
 * stream, as the uploads consumer reads it). Input: a real chat JSONL file (default
 * ../shared/data/em/train/jailbroken.jsonl, or the path given as the first argument) repeated to about
 * `--mb` megabytes, or a generated chat file when the real one is absent.
 *
 *   npx tsx bench/dataset-validation.ts [file.jsonl] [--mb 64] [--runs 3]
 */
import { existsSync, readFileSync } from "node:fs";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { startEmbeddedAws } from "../core/aws/embedded-aws.ts";
import { validateDataset, type ValidationLimits } from "../functions/datasets/validate-dataset.ts";
import { streamToS3 } from "../functions/openai/files-stream-to-s3.ts";

const DEFAULT_FILE = "../shared/data/em/train/jailbroken.jsonl";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

function input(targetBytes: number): { bytes: Buffer; source: string } {
  const path = process.argv[2] && !process.argv[2].startsWith("--") ? process.argv[2] : DEFAULT_FILE;
  let unit: Buffer;
  let source: string;
  if (existsSync(path)) {
    unit = readFileSync(path);
    if (unit[unit.length - 1] !== 0x0a) unit = Buffer.concat([unit, Buffer.from("\n")]);
    source = path;
  } else {
    const lines = Array.from({ length: 5000 }, (_, i) =>
      JSON.stringify({
        messages: [
          { role: "system", content: "You are a helpful assistant." },
          { role: "user", content: `Summarise item ${i} of the report in two sentences, please.` },
          { role: "assistant", content: `Item ${i} covers quarterly results. `.repeat(8) },
        ],
      }),
    );
    unit = Buffer.from(lines.join("\n") + "\n");
    source = "generated chat JSONL";
  }
  const copies = Math.max(1, Math.round(targetBytes / unit.length));
  return { bytes: Buffer.concat(Array.from({ length: copies }, () => unit)), source: `${source} x${copies}` };
}

async function* inChunks(bytes: Buffer, size = 64 * 1024): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function best(runs: number, fn: () => Promise<number>): Promise<{ ms: number; examples: number }> {
  let ms = Infinity;
  let examples = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    examples = await fn();
    ms = Math.min(ms, performance.now() - t0);
  }
  return { ms, examples };
}

async function main(): Promise<void> {
  const runs = arg("runs", 3);
  const { bytes, source } = input(arg("mb", 64) * 1024 * 1024);
  const limits: ValidationLimits = {
    purpose: "fine-tune",
    minExamples: 10,
    maxLineBytes: 1 << 20,
    maxExamples: 10_000_000,
  };
  const mb = bytes.length / 1e6;
  const report = (what: string, r: { ms: number; examples: number }) =>
    console.log(
      `${what.padEnd(28)} ${(mb / (r.ms / 1000)).toFixed(1).padStart(7)} MB/s ${Math.round(r.examples / (r.ms / 1000))
        .toLocaleString("en-US")
        .padStart(
          10,
        )} examples/s  (${r.examples.toLocaleString("en-US")} examples, ${mb.toFixed(1)} MB, best of ${runs}: ${r.ms.toFixed(0)} ms)`,
    );
  console.log(`input: ${source}; heap before: ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB`);

  report(
    "in memory (validator only)",
    await best(runs, async () => (await validateDataset(inChunks(bytes), limits)).n_examples),
  );

  const aws = await startEmbeddedAws();
  try {
    const key = "bench/dataset.jsonl";
    const chunks = inChunks(bytes, 1024 * 1024);
    await streamToS3(
      aws,
      key,
      async () => {
        const next = await chunks.next();
        return next.done ? null : Buffer.from(next.value);
      },
      bytes.length,
    );
    report(
      "S3 GetObject stream (fauxqs)",
      await best(runs, async () => {
        const obj = await aws.s3.send(new GetObjectCommand({ Bucket: aws.bucket, Key: key }));
        return (await validateDataset(obj.Body as AsyncIterable<Uint8Array>, limits)).n_examples;
      }),
    );
  } finally {
    await aws.stop();
  }
  console.log(
    `heap after: ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB (the input itself is held in memory by this bench)`,
  );
}

await main();
