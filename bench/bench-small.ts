/**
 * Bench presets: random-weight Llama decoders built in memory from a seed, LoRA r 16 on all seven
 * projections, AdamW.
 * - bench-small: vocab 8192, hidden 512, 8 layers, 8 heads, 4 kv heads, ffn 1408, batches of 8 × 256 tokens.
 * - bench-medium: vocab 32000, hidden 1024, 16 layers, 16 heads, 8 kv heads, ffn 2816, batches of 8 × 512
 *   (≈ 254M parameters, 1 GB of float32 weights; a GPU-sized step).
 */
import { Rng } from "../gpu-runner/engine/index.ts";
import {
  expectedWeights,
  f32Tensor,
  parseDecoderConfig,
  type DecoderCheckpoint,
  type F32Tensor,
  type LoraSettings,
} from "../gpu-runner/models/index.ts";

export const BENCH_PRESETS = ["bench-small", "bench-medium"] as const;
export type BenchPreset = (typeof BENCH_PRESETS)[number];

export interface BenchSetup {
  readonly checkpoint: DecoderCheckpoint;
  readonly lora: LoraSettings;
  readonly batchSize: number;
  readonly seqLen: number;
}

export interface BenchOptions {
  readonly preset?: BenchPreset;
  readonly threads?: number;
  readonly ep?: "cpu" | "webgpu";
  /** Timed steps (runs) after one warm-up. */
  readonly steps?: number;
}

interface PresetShape {
  readonly vocab: number;
  readonly hidden: number;
  readonly ffn: number;
  readonly layers: number;
  readonly heads: number;
  readonly kvHeads: number;
  readonly batchSize: number;
  readonly seqLen: number;
}

const SHAPES: Readonly<Record<BenchPreset, PresetShape>> = {
  "bench-small": { vocab: 8192, hidden: 512, ffn: 1408, layers: 8, heads: 8, kvHeads: 4, batchSize: 8, seqLen: 256 },
  "bench-medium": {
    vocab: 32000,
    hidden: 1024,
    ffn: 2816,
    layers: 16,
    heads: 16,
    kvHeads: 8,
    batchSize: 8,
    seqLen: 512,
  },
};

export function benchSmall(): BenchSetup {
  return randomLlama(SHAPES["bench-small"]);
}

function randomLlama(shape: PresetShape): BenchSetup {
  const config = parseDecoderConfig({
    architectures: ["LlamaForCausalLM"],
    model_type: "llama",
    vocab_size: shape.vocab,
    hidden_size: shape.hidden,
    intermediate_size: shape.ffn,
    num_hidden_layers: shape.layers,
    num_attention_heads: shape.heads,
    num_key_value_heads: shape.kvHeads,
    rms_norm_eps: 1e-5,
    rope_theta: 10000,
    max_position_embeddings: 2048,
    tie_word_embeddings: false,
    eos_token_id: 2,
    pad_token_id: 0,
  });
  const rng = new Rng(2024);
  const weights = new Map<string, F32Tensor>();
  for (const [name, shape] of expectedWeights(config)) {
    const n = shape.reduce((a, b) => a * b, 1);
    weights.set(
      name,
      f32Tensor(shape, name.endsWith("norm.weight") ? new Float32Array(n).fill(1) : rng.normalArray(n, 0.02)),
    );
  }
  return {
    checkpoint: { config, weights, dtypes: new Map([...weights.keys()].map((k) => [k, "F32" as const])) },
    lora: {
      r: 16,
      alpha: 32,
      useRslora: false,
      dropout: 0,
      targetModules: ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
      layersToTransform: null,
    },
    batchSize: shape.batchSize,
    seqLen: shape.seqLen,
  };
}

export function benchSetup(preset: BenchPreset = "bench-small"): BenchSetup {
  const shape = SHAPES[preset] as PresetShape | undefined;
  if (shape === undefined) throw new Error(`unknown bench preset '${String(preset)}'`);
  return randomLlama(shape);
}

/** Random full-length token rows (ids 3.. avoid the special tokens). */
export function randomRows(count: number, length: number, vocab: number, seed: number): number[][] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, () => Array.from({ length }, () => 3 + rng.int(vocab - 3)));
}

/** Trainable tensors of the given shapes, drawn N(0, 0.02²): LoRA B ≠ 0, so every adapter path carries gradient. */
export function randomTrainables(
  shapes: ReadonlyMap<string, readonly number[]>,
  seed: number,
): Record<string, Float32Array> {
  const rng = new Rng(seed);
  const params: Record<string, Float32Array> = {};
  for (const [name, shape] of shapes)
    params[name] = rng.normalArray(
      shape.reduce((a, b) => a * b, 1),
      0.02,
    );
  return params;
}
