/** Graph options that follow from a loaded checkpoint: its weights and the dtype it was stored in. */
import type { DecoderCheckpoint } from "../load-decoder-checkpoint.ts";
import type { DecoderGraphOptions, RopeDtype } from "./decoder-options.ts";

/** bf16/f16 checkpoints: transformers loads them in that dtype, rounding the rotary frequencies with them. */
export function ropeDtypeOf(checkpoint: Pick<DecoderCheckpoint, "dtypes">): RopeDtype {
  const stored = checkpoint.dtypes.get("model.embed_tokens.weight");
  return stored === "BF16" ? "bfloat16" : stored === "F16" ? "float16" : "float32";
}

export function checkpointOptions(checkpoint: DecoderCheckpoint): Pick<DecoderGraphOptions, "weights" | "ropeDtype"> {
  return { weights: checkpoint.weights, ropeDtype: ropeDtypeOf(checkpoint) };
}
