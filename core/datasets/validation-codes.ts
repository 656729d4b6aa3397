/**
 * Every code a dataset report can carry, with what it means. Codes are part of the API: clients match on
 * them, so they never change meaning; new ones may be added.
 */
export const ERROR_CODES = {
  invalid_utf8: "The line is not valid UTF-8.",
  line_too_long: "The line is longer than the maximum line length.",
  invalid_json: "The line is not a JSON value.",
  json_array_not_jsonl: "The file is one JSON array, not JSON Lines (one JSON object per line).",
  not_an_object: "The line is valid JSON but not an object.",
  missing_messages: "The example has no `messages` array (and is not a prompt/completion or Alpaca example).",
  invalid_messages: "`messages` is not a non-empty array.",
  invalid_message: "A message is not an object.",
  missing_role: "A message has no `role`.",
  unknown_role: "A message's role is not system, user or assistant.",
  invalid_content: "A content field is not a string.",
  empty_content: "A content field is empty or only whitespace.",
  invalid_weight: "A message's `weight` is not 0 or 1.",
  unsupported_field: "A message uses a field guardtune does not train on (tool calls, function calls).",
  no_assistant_message: "The example has no assistant message with non-empty content.",
  no_trainable_message: "Every assistant message has weight 0, so the example teaches nothing.",
  too_many_examples: "The file has more examples than the maximum.",
  too_few_examples: "The file has fewer valid examples than the minimum for its purpose.",
  empty_file: "The file has no examples.",
} as const;

export const WARNING_CODES = {
  blank_line: "An empty line was skipped.",
  duplicate_example: "The example is identical to an earlier one.",
  short_example: "The example is very short.",
  long_example: "The example is very long and will likely be truncated at the job's max_seq_len.",
  special_token_in_content:
    "Text looks like a chat-template special token; it is trained on as plain text, never as a control token.",
  weight_on_non_assistant: "`weight` only applies to assistant messages; it is ignored here.",
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;
export type WarningCode = keyof typeof WARNING_CODES;

/** Errors about the file as a whole; they carry `line: null`. Every other error names a line of the file. */
export const FILE_LEVEL_CODES: ReadonlySet<ErrorCode> = new Set(["too_few_examples", "empty_file"]);

export interface ReportIssue<C extends string = ErrorCode | WarningCode> {
  /** 1-based line number in the file; null only for file-level errors. */
  line: number | null;
  /** JSON Pointer into the line's JSON value ("" for the whole line). */
  field: string;
  code: C;
  message: string;
  hint: string;
}

/** Codes of `dataset.error`: why a dataset is invalid as a whole. */
export const DATASET_ERROR_CODES = {
  validation_failed: "The file has line-level errors; see report.errors.",
  size_mismatch: "The stored object's size differs from the declared bytes; the object was deleted.",
  checksum_mismatch: "The stored bytes' SHA-256 differs from the declared sha256; the object was deleted.",
  object_missing: "The uploaded object disappeared from the store before validation.",
  validation_error:
    "Validation failed repeatedly for reasons outside the file (store or database errors); upload again.",
} as const;
export type DatasetErrorCode = keyof typeof DATASET_ERROR_CODES;
