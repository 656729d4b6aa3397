/**
 * Rotary position embedding settings. transformers < 5 writes `rope_theta` and `rope_scaling` at the top
 * level; transformers 5 writes `rope_parameters: { rope_theta, rope_type, ... }`. Both are accepted.
 */
import { ModelFileError } from "../model-file-error.ts";

export type RopeScaling =
  | { type: "default" }
  | { type: "linear"; factor: number }
  | {
      type: "llama3";
      factor: number;
      lowFreqFactor: number;
      highFreqFactor: number;
      originalMaxPositionEmbeddings: number;
    };

const DEFAULT_THETA = 10000;

export function parseRope(c: Record<string, unknown>, path?: string): { theta: number; scaling: RopeScaling } {
  const fail = (why: string) => new ModelFileError("config_invalid", why, path);
  const params = asObject(c.rope_parameters) ?? asObject(c.rope_scaling);
  const theta = params?.rope_theta ?? c.rope_theta ?? DEFAULT_THETA;
  if (typeof theta !== "number" || !Number.isFinite(theta) || theta <= 1)
    throw fail(`rope_theta must be a number > 1, got ${JSON.stringify(theta)}`);
  const type = params?.rope_type ?? params?.type ?? "default";
  const num = (key: string): number => {
    const v = params?.[key];
    if (typeof v !== "number" || !Number.isFinite(v) || v <= 0)
      throw fail(`rope ${String(type)} needs a positive ${key}, got ${JSON.stringify(v)}`);
    return v;
  };
  switch (type) {
    case "default":
      return { theta, scaling: { type: "default" } };
    case "linear":
      return { theta, scaling: { type: "linear", factor: num("factor") } };
    case "llama3":
      return {
        theta,
        scaling: {
          type: "llama3",
          factor: num("factor"),
          lowFreqFactor: num("low_freq_factor"),
          highFreqFactor: num("high_freq_factor"),
          originalMaxPositionEmbeddings: num("original_max_position_embeddings"),
        },
      };
    default:
      throw new ModelFileError(
        "unsupported_architecture",
        `rope type '${String(type)}' is not supported (default, linear, llama3)`,
        path,
      );
  }
}

function asObject(v: unknown): Record<string, unknown> | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/**
 * The per-pair inverse frequencies [headDim / 2], computed in float32 in the same order of operations
 * as transformers' `_compute_default_rope_parameters` / `_compute_llama3_parameters`.
 */
export function ropeInverseFrequencies(headDim: number, theta: number, scaling: RopeScaling): Float32Array {
  const f = Math.fround;
  const half = headDim / 2;
  const inv = new Float32Array(half);
  for (let i = 0; i < half; i++) inv[i] = f(1 / f(Math.pow(f(theta), f((2 * i) / headDim))));
  if (scaling.type === "linear") {
    for (let i = 0; i < half; i++) inv[i] = f(inv[i] / scaling.factor);
  } else if (scaling.type === "llama3") {
    const { factor, lowFreqFactor, highFreqFactor, originalMaxPositionEmbeddings: oldLen } = scaling;
    const lowFreqWavelen = oldLen / lowFreqFactor;
    const highFreqWavelen = oldLen / highFreqFactor;
    for (let i = 0; i < half; i++) {
      const wavelen = f((2 * Math.PI) / inv[i]);
      const scaled = wavelen > lowFreqWavelen ? f(inv[i] / factor) : inv[i];
      const isMedium = !(wavelen < highFreqWavelen) && !(wavelen > lowFreqWavelen);
      if (isMedium) {
        const smooth = f(f(f(oldLen / wavelen) - lowFreqFactor) / (highFreqFactor - lowFreqFactor));
        inv[i] = f(f(f(f(1 - smooth) * scaled) / factor) + f(smooth * scaled));
      } else {
        inv[i] = scaled;
      }
    }
  }
  return inv;
}
