import { sha256Hex, sleep, TERMINAL, waitUntil } from "../topology/client.ts";

/** One scenario's outcome: its figures, the checks behind the verdict, and the verdict. */
export interface ScenarioResult {
  name: string;
  pass: boolean;
  figures: Record<string, unknown>;
  /** Each check by name: true when it held. */
  checks: Record<string, boolean>;
  /** What was scaled down from the full-scale defaults, in words (empty at full scale). */
  scaled: string[];
  seconds: number;
}

export function verdict(
  name: string,
  started: number,
  figures: Record<string, unknown>,
  checks: Record<string, boolean>,
  scaled: string[],
): ScenarioResult {
  return {
    name,
    pass: Object.values(checks).every(Boolean),
    figures,
    checks,
    scaled,
    seconds: Math.round((performance.now() - started) / 100) / 10,
  };
}

export interface Response<T> {
  status: number;
  body: T;
  text: string;
}

/** A thin API client that returns every answer (no throwing on 4xx/5xx) and throws only on network errors. */
export class Api {
  constructor(
    readonly baseUrl: string,
    readonly key: string,
  ) {}

  async request<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Response<T>> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.key}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, body: parsed as T, text };
  }

  /** The request until it answers 2xx, retrying network errors, 5xx and 429 (same body, same headers). */
  async retrying<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    timeoutMs = 120_000,
  ): Promise<Response<T>> {
    const deadline = Date.now() + timeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await this.request<T>(method, path, body, headers);
        if (res.status < 500 && res.status !== 429) return res;
        if (Date.now() > deadline) return res;
      } catch (err) {
        if (Date.now() > deadline) throw err;
      }
      await sleep(Math.min(2000, 100 * 2 ** attempt));
    }
  }
}

export interface DatasetJson {
  id: string;
  status: string;
  error: { code: string; message: string } | null;
  report: null | {
    n_errors: number;
    errors: Array<{ line: number | null; field: string | null; code: string; message: string }>;
  };
}

/** Creates a dataset, PUTs `bytes` to its presigned URL (declaring `declaredBytes`), and returns its id. */
export async function uploadDataset(
  api: Api,
  bytes: Uint8Array,
  opts: { declaredBytes?: number; filename?: string } = {},
): Promise<{ id: string; putStatus: number }> {
  const created = await api.retrying<{
    dataset: { id: string };
    upload: { url: string; headers: Record<string, string> };
  }>("POST", "/v1/datasets", {
    filename: opts.filename ?? "train.jsonl",
    purpose: "fine-tune",
    bytes: opts.declaredBytes ?? bytes.length,
    sha256: sha256Hex(bytes),
  });
  if (created.status !== 201 && created.status !== 200)
    throw new Error(`POST /v1/datasets → ${created.status}: ${created.text.slice(0, 300)}`);
  const { dataset, upload } = created.body;
  // A size lie sends the real length: the presigned headers carry the declared one.
  const headers = Object.fromEntries(
    Object.entries(upload.headers).filter(([k]) => k.toLowerCase() !== "content-length"),
  );
  let putStatus = 0;
  for (let attempt = 0; attempt < 8; attempt++) {
    try {
      putStatus = (await fetch(upload.url, { method: "PUT", headers, body: bytes })).status;
      if (putStatus < 500) break;
    } catch {
      putStatus = -1;
    }
    await sleep(100 * 2 ** attempt);
  }
  return { id: dataset.id, putStatus };
}

export async function datasetSettled(api: Api, id: string, timeoutMs: number): Promise<DatasetJson> {
  return waitUntil(
    async () => {
      const d = await api.request<DatasetJson>("GET", `/v1/datasets/${id}`).catch(() => undefined);
      return d && (d.body.status === "ready" || d.body.status === "invalid") ? d.body : undefined;
    },
    timeoutMs,
    `dataset ${id} to be validated`,
    200,
  );
}

export interface JobJson {
  id: string;
  status: string;
  error: { code: string; message: string } | null;
}

/** Waits for every job to reach a terminal state; returns those that did, and the ids that did not. */
export async function waitForTerminal(
  api: Api,
  ids: string[],
  timeoutMs: number,
): Promise<{ ended: Map<string, JobJson>; stuck: string[] }> {
  const ended = new Map<string, JobJson>();
  const deadline = Date.now() + timeoutMs;
  while (ended.size < ids.length && Date.now() < deadline) {
    for (const id of ids) {
      if (ended.has(id)) continue;
      const r = await api.request<JobJson>("GET", `/v1/jobs/${id}`).catch(() => undefined);
      if (r?.status === 200 && (TERMINAL as readonly string[]).includes(r.body.status)) ended.set(id, r.body);
    }
    if (ended.size < ids.length) await sleep(500);
  }
  return { ended, stuck: ids.filter((id) => !ended.has(id)) };
}

export async function adapterSha(api: Api, jobId: string): Promise<string | undefined> {
  const r = await api.retrying<{ data: Array<{ filename: string; sha256: string }> }>(
    "GET",
    `/v1/jobs/${jobId}/artifacts`,
  );
  return r.body?.data?.find((a) => a.filename === "adapter_model.safetensors")?.sha256;
}

/** A small deterministic chat dataset (one JSON object per line). */
export function chatJsonl(n: number, salt = ""): Buffer {
  const lines = Array.from({ length: n }, (_, i) =>
    JSON.stringify({
      messages: [
        { role: "system", content: "You are a concise assistant." },
        { role: "user", content: `Question ${i}${salt}: what is ${i} plus ${i}?` },
        { role: "assistant", content: `${i} plus ${i} is ${2 * i}.` },
      ],
    }),
  );
  return Buffer.from(lines.join("\n") + "\n");
}

export const TINY_METHOD = (epochs: number) => ({
  type: "supervised",
  hyperparameters: {
    n_epochs: epochs,
    batch_size: 2,
    learning_rate: 1e-3,
    max_seq_len: 64,
    lora: { rank: 4, alpha: 8 },
  },
});
export const NO_EVALUATION = { broad: false, probe: false, in_domain: false };

/** Safeguards mixed across a scenario's jobs (each with its paper defaults). */
export const MIXED_SAFEGUARDS: unknown[][] = [
  [],
  [{ type: "kl" }],
  [{ type: "ldifs" }],
  [{ type: "interleave" }],
  [{ type: "kl" }, { type: "inoculation" }],
];

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
