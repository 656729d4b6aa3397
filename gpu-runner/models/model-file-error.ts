/**
 * Typed failures of reading or writing model files (checkpoints, configs, tokenizers, adapters).
 * All are permanent for a job: retrying cannot fix a malformed or mismatching file, so the worker maps
 * them to a permanent `JobError` keeping this error as `cause`.
 */
export type ModelFileErrorCode =
  | "safetensors_format"
  | "unsupported_dtype"
  | "config_invalid"
  | "unsupported_architecture"
  | "weight_set_mismatch"
  | "tokenizer_invalid"
  | "chat_template_invalid"
  | "unsafe_message"
  | "adapter_invalid";

export class ModelFileError extends Error {
  override readonly name: string = "ModelFileError";
  constructor(
    readonly code: ModelFileErrorCode,
    message: string,
    readonly path?: string,
    options?: { cause?: unknown },
  ) {
    super(path === undefined ? message : `${path}: ${message}`, options);
  }
}

/** One tensor whose shape differs from what the config implies. */
export interface ShapeMismatch {
  name: string;
  expected: readonly number[];
  actual: readonly number[];
}

/** A checkpoint whose tensor names or shapes do not match the architecture's weight catalogue. */
export class WeightSetMismatchError extends ModelFileError {
  override readonly name: string = "WeightSetMismatchError";
  constructor(
    readonly missing: readonly string[],
    readonly unexpected: readonly string[],
    readonly wrongShape: readonly ShapeMismatch[],
    path?: string,
  ) {
    super("weight_set_mismatch", describeMismatch(missing, unexpected, wrongShape), path);
  }
}

function describeMismatch(
  missing: readonly string[],
  unexpected: readonly string[],
  wrongShape: readonly ShapeMismatch[],
): string {
  const parts: string[] = [];
  if (missing.length > 0) parts.push(`missing keys (${missing.length}): ${missing.join(", ")}`);
  if (unexpected.length > 0) parts.push(`unexpected keys (${unexpected.length}): ${unexpected.join(", ")}`);
  if (wrongShape.length > 0) {
    const shapes = wrongShape.map((m) => `${m.name} expected [${m.expected.join(", ")}] got [${m.actual.join(", ")}]`);
    parts.push(`wrong shapes (${wrongShape.length}): ${shapes.join("; ")}`);
  }
  return `checkpoint does not match the model config: ${parts.join("; ")}`;
}
