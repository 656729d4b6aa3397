import { FILE_LEVEL_CODES } from "../../core/datasets/validation-codes.ts";
import { sha256Hex } from "../topology/client.ts";
import type { Topology } from "../topology/topology.ts";
import { Api, datasetSettled, verdict, type DatasetJson, type ScenarioResult } from "./common.ts";
import { fuzzFile } from "./fuzz-files.ts";

export interface HostileUploadsOptions {
  files: number;
  concurrency: number;
  /** GUARDTUNE_MAX_LINE_BYTES of the API under test (huge lines exceed it). */
  maxLineBytes: number;
  settleS: number;
}
export const HOSTILE_UPLOADS_DEFAULTS: HostileUploadsOptions = {
  files: 10_000,
  concurrency: 16,
  maxLineBytes: 65_536,
  settleS: 120,
};

type Outcome =
  | { kind: string; as: "refused"; ok: boolean }
  | { kind: string; as: "ready" | "invalid"; ok: boolean; lineAndField: boolean; fileLevel: boolean; valid: boolean }
  | { kind: string; as: "stuck" | "5xx" };

/**
 * Scenario 4: fuzzed files through the real upload path — create, presigned PUT (no `/complete`: the
 * emulator's notification starts validation), validation. The API and emulator must not crash or answer
 * 5xx, no dataset may stay unvalidated, valid files must become `ready`, and every invalid one must say
 * why: errors naming line and field, or (for whole-file problems such as a size lie) a code and message.
 */
export async function hostileUploads(
  topology: Topology,
  opts: HostileUploadsOptions,
  log: (line: string) => void,
): Promise<ScenarioResult> {
  const started = performance.now();
  const api = new Api(topology.apiUrl, topology.apiKey);
  const outcomes: Outcome[] = [];
  const examples: Record<string, unknown> = {};
  let next = 0;
  let fieldPointers = 0;
  const worker = async () => {
    for (let i = next++; i < opts.files; i = next++) {
      const f = fuzzFile(i, opts.maxLineBytes);
      const created = await api.retrying<{
        dataset: { id: string };
        upload: { url: string; headers: Record<string, string> };
        error?: { code: string; message: string; param?: string };
      }>("POST", "/v1/datasets", {
        filename: `fuzz-${i}.jsonl`,
        purpose: "fine-tune",
        bytes: f.declaredBytes,
        sha256: sha256Hex(f.bytes),
      });
      if (created.status >= 500) {
        outcomes.push({ kind: f.kind, as: "5xx" });
        continue;
      }
      if (created.status !== 201) {
        outcomes.push({
          kind: f.kind,
          as: "refused",
          ok: !f.valid && /"code"/.test(created.text) && /"message"/.test(created.text),
        });
        examples[`${f.kind}/refused`] ??= created.text.slice(0, 300);
        continue;
      }
      const { dataset, upload } = created.body;
      const headers = Object.fromEntries(
        Object.entries(upload.headers).filter(([k]) => k.toLowerCase() !== "content-length"),
      );
      await fetch(upload.url, { method: "PUT", headers, body: f.bytes }).catch(() => undefined);
      const d: DatasetJson | undefined = await datasetSettled(api, dataset.id, opts.settleS * 1000).catch(
        () => undefined,
      );
      if (!d) {
        outcomes.push({ kind: f.kind, as: "stuck" });
        continue;
      }
      const errors = d.report?.errors ?? [];
      // Every line error names its line, and a field (JSON Pointer) where the problem is in one, "" where the
      // whole line is (invalid UTF-8, not JSON, too long). File-level codes (too few examples) have no line;
      // whole-file problems found before validation (a size lie) have no report lines at all.
      const lineAndField =
        errors.length > 0 &&
        errors.every(
          (e) =>
            (typeof e.line === "number" && e.field !== null) || (FILE_LEVEL_CODES as ReadonlySet<string>).has(e.code),
        );
      const fileLevel = errors.length === 0 && Boolean(d.error?.code && d.error.message);
      if (errors.some((e) => e.field)) fieldPointers++;
      const as = d.status as "ready" | "invalid";
      const ok = f.valid ? as === "ready" : as === "invalid" && (lineAndField || fileLevel);
      outcomes.push({ kind: f.kind, as, ok, lineAndField, fileLevel, valid: f.valid });
      if (!ok) examples[`${f.kind}/${as}/unexplained`] ??= { index: i, error: d.error, errors: errors.slice(0, 3) };
      else examples[`${f.kind}/${as}`] ??= d.error ?? errors[0];
    }
  };
  const progress = setInterval(() => log(`  hostile uploads: ${outcomes.length}/${opts.files}`), 30_000);
  try {
    await Promise.all(Array.from({ length: opts.concurrency }, worker));
  } finally {
    clearInterval(progress);
  }
  const seconds = (performance.now() - started) / 1000;
  const alive = [topology.serve, topology.emulator.process].every(
    (p) => p.child.exitCode === null && !p.child.signalCode,
  );
  const count = (f: (o: Outcome) => boolean) => outcomes.filter(f).length;
  const byKind: Record<string, Record<string, number>> = {};
  for (const o of outcomes) {
    const k = (byKind[o.kind] ??= {});
    k[o.as] = (k[o.as] ?? 0) + 1;
  }
  const invalid = outcomes.flatMap((o) => (o.as === "invalid" ? [o] : []));
  return verdict(
    "hostile-uploads",
    started,
    {
      files: outcomes.length,
      files_per_s: Math.round((outcomes.length / seconds) * 10) / 10,
      by_kind: byKind,
      invalid: invalid.length,
      invalid_with_line_and_field: invalid.filter((o) => o.lineAndField).length,
      line_errors_naming_a_field_pointer: fieldPointers,
      invalid_whole_file_with_code: invalid.filter((o) => !o.lineAndField && o.fileLevel).length,
      refused_at_create: count((o) => o.as === "refused"),
      stuck: count((o) => o.as === "stuck"),
      api_5xx: count((o) => o.as === "5xx"),
      examples,
    },
    {
      "API and emulator never crashed": alive,
      "no 5xx": count((o) => o.as === "5xx") === 0,
      "no dataset stuck": count((o) => o.as === "stuck") === 0,
      "valid files ready; invalid ones explained: errors naming line and field, or a whole-file code": outcomes.every(
        (o) => "ok" in o && o.ok,
      ),
    },
    opts.files < HOSTILE_UPLOADS_DEFAULTS.files ? [`${opts.files} files (full scale 10,000)`] : [],
  );
}
