import { createHash } from "node:crypto";
import type { DatasetPurpose } from "../../core/db/schema/datasets.ts";
import { MAX_REPORTED_ISSUES, type DatasetReport } from "./dataset-report.ts";
import { readLines } from "./jsonl-lines.ts";
import { checkExample, type ExampleFormat, type NormalisedExample } from "../../core/datasets/normalise-example.ts";
import { findSpecialTokenLookalike } from "./special-tokens.ts";
import { estimateTokens, estimateTrainingSecondsPerEpoch } from "./training-estimate.ts";
import type { ErrorCode, ReportIssue, WarningCode } from "../../core/datasets/validation-codes.ts";

export interface ValidationLimits {
  purpose: DatasetPurpose;
  /** Minimum valid examples; applies to `fine-tune` only. */
  minExamples: number;
  maxLineBytes: number;
  maxExamples: number;
}

/** Examples shorter than this many content characters get a `short_example` warning. */
export const SHORT_EXAMPLE_CHARS = 10;
/** Examples estimated above this many tokens get a `long_example` warning. */
export const LONG_EXAMPLE_TOKENS = 8192;

/**
 * Validates a JSONL dataset read as a byte stream, line by line, holding one line at a time (plus one
 * number per distinct example for duplicate detection). Returns the full report for any bytes; it only
 * throws when the source itself fails (a broken download), which callers treat as retryable.
 */
export async function validateDataset(
  source: AsyncIterable<Uint8Array>,
  limits: ValidationLimits,
): Promise<DatasetReport> {
  const r = new ReportBuilder();
  const hash = createHash("sha256");
  let bytes = 0;
  async function* tapped() {
    for await (const chunk of source) {
      hash.update(chunk);
      bytes += chunk.byteLength;
      yield chunk;
    }
  }
  const requireAssistant = limits.purpose !== "eval";
  const seen = new Map<number, number>();
  let firstContentLine = true;
  let pendingArrayLine: number | null = null; // a one-line JSON array: the whole file, or one bad line of many
  let exampleLines = 0;
  let lines = 0;
  // After a file-level stop (array file, too many examples) the rest is still read, unparsed, so that the
  // size and checksum always cover the whole file.
  let stopped = false;

  // Every non-blank line counts as an example, parsed or not; past the limit the rest of the file is only counted.
  const countExample = (line: number): boolean => {
    if (++exampleLines <= limits.maxExamples) return true;
    r.error(
      line,
      "",
      "too_many_examples",
      `More than ${limits.maxExamples} examples.`,
      "Split the file or raise GUARDTUNE_MAX_EXAMPLES.",
    );
    stopped = true;
    return false;
  };

  for await (const item of readLines(tapped(), limits.maxLineBytes)) {
    lines = item.line;
    if (stopped) continue;
    if ("error" in item) {
      firstContentLine = false;
      if (!countExample(item.line)) continue;
      r.invalid++;
      if (item.error === "line_too_long") {
        r.error(
          item.line,
          "",
          "line_too_long",
          `Line is ${item.bytes} bytes; the maximum is ${limits.maxLineBytes}.`,
          "Shorten the example or split it into several.",
        );
      } else {
        r.error(
          item.line,
          "",
          "invalid_utf8",
          `Invalid UTF-8 at byte ${item.byteOffset} of the line.`,
          "Save the file as UTF-8 (without legacy encodings such as Latin-1 or UTF-16).",
        );
      }
      continue;
    }
    const text = item.text;
    if (text.trim() === "") {
      r.blankLines++;
      r.warn(item.line, "", "blank_line", "Blank line skipped.", "Remove empty lines.");
      continue;
    }
    if (pendingArrayLine !== null) {
      r.invalid++;
      r.error(
        pendingArrayLine,
        "",
        "not_an_object",
        "Expected a JSON object, got an array.",
        'Each line must be one object like {"messages": [...]}.',
      );
      pendingArrayLine = null;
    }
    if (!countExample(item.line)) continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      if (firstContentLine && text.trimStart().startsWith("[")) {
        r.jsonArray(item.line);
        stopped = true;
        continue;
      }
      r.invalid++;
      r.error(
        item.line,
        "",
        "invalid_json",
        `Not valid JSON: ${(err as Error).message}`,
        "Each line must be one complete JSON object; check quotes, commas and escaped newlines.",
      );
      firstContentLine = false;
      continue;
    }
    if (firstContentLine && Array.isArray(value)) {
      pendingArrayLine = item.line;
      firstContentLine = false;
      continue;
    }
    firstContentLine = false;
    const checked = checkExample(value, { requireAssistant });
    if (!checked.ok) {
      r.invalid++;
      for (const issue of checked.issues) r.error(item.line, issue.field, issue.code, issue.message, issue.hint);
      continue;
    }
    for (const w of checked.warnings) r.warn(item.line, w.field, w.code, w.message, w.hint);
    r.example(item.line, checked.example, seen);
  }
  if (pendingArrayLine !== null) r.jsonArray(pendingArrayLine);

  if (!r.arrayFile) {
    if (r.nExamples === 0 && r.nErrors === 0) {
      r.error(null, "", "empty_file", "The file has no examples.", "Upload a JSONL file with one example per line.");
    } else if (limits.purpose === "fine-tune" && r.nExamples < limits.minExamples) {
      r.error(
        null,
        "",
        "too_few_examples",
        `${r.nExamples} valid examples; fine-tuning needs at least ${limits.minExamples}.`,
        "Add examples or fix the invalid lines.",
      );
    }
  }
  return r.build({ bytes, sha256: hash.digest("hex"), lines });
}

class ReportBuilder {
  nExamples = 0;
  nErrors = 0;
  nWarnings = 0;
  invalid = 0;
  blankLines = 0;
  arrayFile = false;
  readonly errors: Array<ReportIssue<ErrorCode>> = [];
  readonly warnings: Array<ReportIssue<WarningCode>> = [];
  readonly errorCounts: Partial<Record<ErrorCode, number>> = {};
  readonly warningCounts: Partial<Record<WarningCode, number>> = {};
  readonly formats: Record<ExampleFormat, number> = { chat: 0, prompt_completion: 0, alpaca: 0 };
  readonly roles = { system: 0, user: 0, assistant: 0 };
  chars = 0;
  assistantChars = 0;
  minChars = Number.POSITIVE_INFINITY;
  maxChars = 0;
  duplicates = 0;

  error(line: number | null, field: string, code: ErrorCode, message: string, hint: string): void {
    this.nErrors++;
    this.errorCounts[code] = (this.errorCounts[code] ?? 0) + 1;
    if (this.errors.length < MAX_REPORTED_ISSUES)
      this.errors.push({ line, field: printable(field), code, message: printable(message), hint });
  }

  warn(line: number, field: string, code: WarningCode, message: string, hint: string): void {
    this.nWarnings++;
    this.warningCounts[code] = (this.warningCounts[code] ?? 0) + 1;
    if (this.warnings.length < MAX_REPORTED_ISSUES)
      this.warnings.push({ line, field: printable(field), code, message: printable(message), hint });
  }

  jsonArray(line: number): void {
    this.arrayFile = true;
    this.error(
      line,
      "",
      "json_array_not_jsonl",
      "The file is a JSON array, not JSON Lines.",
      "Write one JSON object per line (JSONL) instead of one array, e.g. with: jq -c '.[]' file.json > file.jsonl",
    );
  }

  example(line: number, ex: NormalisedExample, seen: Map<number, number>): void {
    this.nExamples++;
    this.formats[ex.format]++;
    let chars = 0;
    ex.messages.forEach((m, i) => {
      this.roles[m.role]++;
      chars += m.content.length;
      if (m.role === "assistant") this.assistantChars += m.content.length;
      const token = findSpecialTokenLookalike(m.content);
      if (token !== undefined) {
        this.warn(
          line,
          contentPointer(ex, i),
          "special_token_in_content",
          `Content contains ${JSON.stringify(token)}, which looks like a chat-template special token.`,
          "It will be trained on as plain text; remove it if it was meant as formatting.",
        );
      }
    });
    this.chars += chars;
    this.minChars = Math.min(this.minChars, chars);
    this.maxChars = Math.max(this.maxChars, chars);
    if (chars < SHORT_EXAMPLE_CHARS) {
      this.warn(
        line,
        "",
        "short_example",
        `The example has only ${chars} characters of content.`,
        "Very short examples teach little; check that the line is complete.",
      );
    }
    if (estimateTokens(chars) > LONG_EXAMPLE_TOKENS) {
      this.warn(
        line,
        "",
        "long_example",
        `The example has about ${estimateTokens(chars)} tokens.`,
        "Examples longer than the job's max_seq_len are truncated; split long conversations.",
      );
    }
    // 52 bits of the digest as a number key: a few tens of bytes per example instead of a string. A false
    // "duplicate" (only a warning) is unlikely: about 1e-4 for a file of a million examples.
    const md5 = createHash("md5").update(JSON.stringify(ex.messages)).digest();
    const digest = md5.readUIntBE(0, 6) * 16 + (md5[6] >> 4);
    const first = seen.get(digest);
    if (first !== undefined) {
      this.duplicates++;
      this.warn(
        line,
        "",
        "duplicate_example",
        `The example repeats line ${first}.`,
        "Duplicates weigh an example more; remove them unless intended.",
      );
    } else seen.set(digest, line);
  }

  build(file: { bytes: number; sha256: string; lines: number }): DatasetReport {
    const used = (Object.entries(this.formats) as Array<[ExampleFormat, number]>).filter(([, n]) => n > 0);
    const tokens = estimateTokens(this.chars);
    return {
      n_examples: this.nExamples,
      n_errors: this.nErrors,
      n_warnings: this.nWarnings,
      format: used.length === 0 ? null : used.length === 1 ? used[0][0] : "mixed",
      errors: this.errors,
      warnings: this.warnings,
      error_counts: this.errorCounts,
      warning_counts: this.warningCounts,
      stats: {
        bytes: file.bytes,
        sha256: file.sha256,
        lines: file.lines,
        blank_lines: this.blankLines,
        invalid_examples: this.invalid,
        formats: this.formats,
        messages_by_role: this.roles,
        characters: {
          total: this.chars,
          assistant: this.assistantChars,
          per_example_min: this.nExamples > 0 ? this.minChars : 0,
          per_example_max: this.maxChars,
          per_example_mean: this.nExamples > 0 ? Math.round(this.chars / this.nExamples) : 0,
        },
        estimated_tokens: { total: tokens, assistant: estimateTokens(this.assistantChars), method: "characters/4" },
        duplicates: this.duplicates,
        estimated_training_seconds_per_epoch: estimateTrainingSecondsPerEpoch(tokens),
      },
    };
  }
}

/** Where a normalised message's text came from in the original line. */
/**
 * Messages quote the uploaded text. Control characters are escaped (`\u0000`): PostgreSQL refuses U+0000 in
 * jsonb and text, so a NUL byte quoted into the report would fail every attempt to store the verdict.
 */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function contentPointer(ex: NormalisedExample, index: number): string {
  if (ex.format === "chat") return `/messages/${index}/content`;
  const role = ex.messages[index].role;
  if (ex.format === "prompt_completion") return role === "user" ? "/prompt" : "/completion";
  return role === "system" ? "/system" : role === "user" ? "/instruction" : "/output";
}
