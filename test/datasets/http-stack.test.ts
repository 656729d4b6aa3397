import { existsSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type Stack } from "../../cli/stack.ts";
import { testConfig } from "../helpers/test-config.ts";
import { chatFile, putPresigned, sha256Hex, waitForSettled, type DatasetJson, type PutUploadJson } from "./helpers.ts";

const KEY = "gt_" + "d4t4s3t5".repeat(5);
const JAILBROKEN = "/work/shared/data/em/train/jailbroken.jsonl";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack(testConfig({ GUARDTUNE_BOOTSTRAP_KEY: KEY }));
});
afterAll(async () => {
  await stack?.close();
});

/** What a client holding only an API key does, over real HTTP. */
async function api(path: string, init: { method?: string; json?: unknown } = {}) {
  const res = await fetch(stack.url + path, {
    method: init.method ?? "GET",
    headers: {
      authorization: `Bearer ${KEY}`,
      ...(init.json === undefined ? {} : { "content-type": "application/json" }),
    },
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function upload(filename: string, file: Buffer): Promise<DatasetJson> {
  const created = await api("/v1/datasets", {
    method: "POST",
    json: { filename, purpose: "fine-tune", bytes: file.length, sha256: sha256Hex(file) },
  });
  expect(created.status).toBe(201);
  const { dataset, upload: presigned } = created.body as { dataset: DatasetJson; upload: PutUploadJson };
  await putPresigned(presigned, file);
  expect((await api(`/v1/datasets/${dataset.id}/complete`, { method: "POST" })).status).toBe(202);
  return waitForSettled(async () => (await api(`/v1/datasets/${dataset.id}`)).body as unknown as DatasetJson, 60_000);
}

describe("datasets over real HTTP against the embedded stack", () => {
  it("takes a 5,000-line real dataset from presigned upload to ready with statistics", async () => {
    // The real-world sample when it is available; otherwise a generated file of the same length.
    const real = existsSync(JAILBROKEN);
    const file = real ? readFileSync(JAILBROKEN) : chatFile(5000);
    const started = performance.now();
    const d = await upload("jailbroken.jsonl", file);
    const seconds = (performance.now() - started) / 1000;
    expect(d.status, JSON.stringify(d.error)).toBe("ready");
    expect(d.n_examples).toBe(5000);
    expect(d.report?.n_errors).toBe(0);
    expect(d.report?.stats).toMatchObject({ bytes: file.length, lines: 5000, sha256: sha256Hex(file) });
    expect((d.report?.stats.estimated_tokens as { total: number }).total).toBeGreaterThan(0);
    console.info(
      `5,000-line upload (${real ? "jailbroken.jsonl" : "generated"}, ${file.length} bytes) ready in ${seconds.toFixed(2)} s`,
    );
  });

  it("marks a broken upload invalid with line-numbered errors", async () => {
    const lines = chatFile(30).toString("utf8").trimEnd().split("\n");
    lines[6] = '{"messages": [{"role": "user", "content": "only a question"}]}';
    lines[20] = lines[20].replace('"role":"assistant"', '"role":"bot"');
    const d = await upload("broken.jsonl", Buffer.from(lines.join("\n")));
    expect(d.status).toBe("invalid");
    expect(d.report?.errors.map((e) => [e.line, e.field, e.code])).toEqual([
      [7, "/messages", "no_assistant_message"],
      [21, "/messages/2/role", "unknown_role"],
    ]);
    const listed = await api("/v1/datasets?status=invalid");
    expect((listed.body.data as DatasetJson[]).map((x) => x.id)).toContain(d.id);
  });
});
