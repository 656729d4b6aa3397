import type { ExampleFormat } from "../../core/datasets/normalise-example.ts";
import type { ModelClass } from "./training-estimate.ts";
import type { ErrorCode, ReportIssue, WarningCode } from "../../core/datasets/validation-codes.ts";

/** At most this many errors and warnings are kept in a report; the counts cover all of them. */
export const MAX_REPORTED_ISSUES = 100;

export interface DatasetStats {
  bytes: number;
  /** Hex SHA-256 of the file's bytes as read. */
  sha256: string;
  lines: number;
  blank_lines: number;
  /** Non-blank lines that failed validation. */
  invalid_examples: number;
  formats: Record<ExampleFormat, number>;
  messages_by_role: { system: number; user: number; assistant: number };
  characters: {
    total: number;
    assistant: number;
    per_example_min: number;
    per_example_max: number;
    per_example_mean: number;
  };
  /** Token counts estimated as characters / 4; the runner counts real tokens with the model's tokenizer. */
  estimated_tokens: { total: number; assistant: number; method: "characters/4" };
  duplicates: number;
  /** Planning estimate of one epoch's training time per model class (see training-estimate.ts). */
  estimated_training_seconds_per_epoch: Record<ModelClass, number>;
}

export interface DatasetReport {
  /** Valid examples. */
  n_examples: number;
  n_errors: number;
  n_warnings: number;
  /** The dominant example format, "mixed" when several occur, null when there is no valid example. */
  format: ExampleFormat | "mixed" | null;
  /** The first MAX_REPORTED_ISSUES errors, in file order. */
  errors: Array<ReportIssue<ErrorCode>>;
  warnings: Array<ReportIssue<WarningCode>>;
  error_counts: Partial<Record<ErrorCode, number>>;
  warning_counts: Partial<Record<WarningCode, number>>;
  stats: DatasetStats;
}
