/**
 * Real model sizes on the engine: random-weight decoders with the shapes of Qwen2.5-0.5B and Qwen2.5-1.5B
 * (no download; weights drawn from a seed). With the vocabulary in row chunks sized from the binding limit
 * (models/decoder/decoder-vocab), sizes every tensor of the training, scoring and decode graphs at the run's
 * batch and at 8 × 512 against the WebGPU adapter's `maxStorageBufferBindingSize`, then builds and loads the
 * LoRA training graph (r 16 on all seven projections; external data above protobuf's limit) and runs a step.
 * Slow and memory-hungry (0.5B: ~2 GB of float32 weights, 1.5B: ~6.2 GB): not part of the test suite.
 *
 *   npx tsx bench/real-sizes.ts --model qwen2.5-0.5b [--ep cpu|webgpu] [--batch 1] [--seq 32] [--threads 2]
 *     [--layers N]  (real tensor sizes, fewer layers)  [--limit BYTES]  (default: the adapter's, else 128 MiB)
 */
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import {
  addTrainingOutputs,
  describeWebGpuAdapter,
  Graph,
  Rng,
  type ExecutionProvider,
} from "../gpu-runner/engine/index.ts";
import { buildDecodeGraph } from "../gpu-runner/generation/index.ts";
import {
  buildLossGraph,
  decoderBatch,
  DecoderSession,
  vocabChunkRows,
  type LossSpec,
} from "../gpu-runner/models/decoder/index.ts";
import { buildScoringGraph } from "../gpu-runner/scoring/scoring-graph.ts";
import { graphTensorSizes } from "./tensor-sizes.ts";
import {
  createLoraAdapter,
  expectedWeights,
  f32Tensor,
  parseDecoderConfig,
  type DecoderConfig,
  type F32Tensor,
  type LoraSettings,
} from "../gpu-runner/models/index.ts";

/** The config.json fields of the published checkpoints that set their shapes. */
const SHAPES = {
  "qwen2.5-0.5b": { hidden_size: 896, intermediate_size: 4864, num_hidden_layers: 24, num_attention_heads: 14 },
  "qwen2.5-1.5b": { hidden_size: 1536, intermediate_size: 8960, num_hidden_layers: 28, num_attention_heads: 12 },
} as const;
export type RealSize = keyof typeof SHAPES;

const LORA: LoraSettings = {
  r: 16,
  alpha: 32,
  useRslora: false,
  dropout: 0,
  targetModules: ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
  layersToTransform: null,
};

const KL_BOTH: LossSpec = {
  terms: [
    { kind: "kl", weight: 0.1, direction: "theta_ref", positions: "supervised" },
    { kind: "kl", weight: 0.1, direction: "ref_theta", positions: "supervised" },
  ],
};

/** `layers` overrides the depth (every tensor keeps its real size; fewer layers fit a small machine). */
export function qwenShapedConfig(size: RealSize, layers?: number): DecoderConfig {
  return parseDecoderConfig({
    architectures: ["Qwen2ForCausalLM"],
    model_type: "qwen2",
    ...SHAPES[size],
    ...(layers !== undefined ? { num_hidden_layers: layers } : {}),
    num_key_value_heads: 2,
    vocab_size: 151936,
    rms_norm_eps: 1e-6,
    rope_theta: 1000000,
    max_position_embeddings: 32768,
    tie_word_embeddings: true,
    eos_token_id: 151645,
    pad_token_id: 151643,
  });
}

/**
 * Float32 bytes a LoRA training step keeps alive at batch B × T, by the tensors the backward pass reads
 * (an estimate from the graph's structure, not a measurement): per layer the normed inputs, q/k/v before and
 * after RoPE, attention probabilities, the MLP's gate/up/activation/product and the LoRA intermediates; then
 * logits, log-probabilities and their gradient over the vocabulary; plus the frozen weights.
 */
export function estimateTrainingBytes(c: DecoderConfig, r: number, b: number, t: number) {
  const n = b * t;
  const kv = c.numKvHeads * c.headDim;
  const perLayer = n * (7 * c.hiddenSize + 3 * kv + 4 * c.intermediateSize + 7 * r) + 2 * b * c.numHeads * t * t;
  const weights = [...expectedWeights(c).values()].reduce((s, shape) => s + shape.reduce((a, x) => a * x, 1), 0);
  return {
    weights: 4 * weights,
    activations: 4 * perLayer * c.numLayers,
    vocabulary: 4 * 3 * n * c.vocabSize,
    total: 4 * (weights + perLayer * c.numLayers + 3 * n * c.vocabSize),
  };
}

/** lavapipe's `maxStorageBufferBindingSize`, also the WebGPU default limit most discrete GPUs report. */
const DEFAULT_LIMIT = 134217728;

/**
 * Every tensor of the training (loss + LoRA gradients), scoring (every position scored) and decode graphs (prefill
 * of T tokens, then one step over a T-token cache) at B × T, sized against `limit` with the vocabulary chunked
 * for B·T tokens.
 */
export function graphSizesAt(
  c: DecoderConfig,
  weights: ReadonlyMap<string, F32Tensor>,
  b: number,
  t: number,
  limit: number,
) {
  const bufferLimit = { bytes: limit, maxTokens: b * t };
  const rows = vocabChunkRows(limit, b * t, c.hiddenSize, c.vocabSize);
  const train = new Graph("train");
  const lg = buildLossGraph(train, c, { weights, weightStorage: "external", lora: LORA, bufferLimit }, {});
  addTrainingOutputs(train, lg.loss, [...lg.decoder.trainable.values()]);
  // the safeguards' KL regulariser (both directions) adds the reference pass and per-chunk KL sums
  const trainKl = new Graph("train-kl");
  const klg = buildLossGraph(trainKl, c, { weights, weightStorage: "external", lora: LORA, bufferLimit }, KL_BOTH);
  addTrainingOutputs(trainKl, klg.loss, [...klg.decoder.trainable.values()]);
  const score = buildScoringGraph(c, weights, LORA, true, { bufferLimit }).graph;
  const decode = buildDecodeGraph(c, weights, true, "float32", { bufferLimit }).graph;
  const summary = (g: Graph, symbols: Record<string, number>) => {
    const s = graphTensorSizes(g, symbols, limit, 3);
    const mib = (x: number) => Math.round((x / 2 ** 20) * 10) / 10;
    return {
      tensors: s.tensors,
      largest: s.largest.map((x) => `${x.name} ${x.shape} ${mib(x.bytes)} MiB`),
      oversized: s.oversized.map((x) => `${x.name} ${x.shape} ${mib(x.bytes)} MiB`),
      unresolved: s.unresolved.length,
    };
  };
  return {
    batch: [b, t],
    vocab_chunk_rows: rows ?? c.vocabSize,
    vocab_chunks: Math.ceil(c.vocabSize / (rows ?? c.vocabSize)),
    training: summary(train, { B: b, T: t }),
    training_kl: summary(trainKl, { B: b, T: t }),
    scoring: summary(score, { B: b, T: t, N: b * t }),
    decode_prefill: summary(decode, { B: b, S: t, P: 0 }),
    decode_step: summary(decode, { B: b, S: 1, P: t }),
  };
}

/**
 * Random weights, fast: one block of 2^20 seeded normals (std 0.02) tiled over every tensor — drawing ~0.5–1.5
 * billion normals one by one takes minutes in JavaScript and the numbers only need to be realistic in scale.
 */
function randomWeights(c: DecoderConfig): Map<string, F32Tensor> {
  const block = new Rng(2025).normalArray(1 << 20, 0.02);
  const weights = new Map<string, F32Tensor>();
  let offset = 0;
  for (const [name, shape] of expectedWeights(c)) {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    if (name.endsWith("norm.weight")) data.fill(1);
    else
      for (let i = 0; i < n; i += block.length) {
        const start = (offset + i) % block.length; // shifted per tensor so tensors differ
        const len = Math.min(block.length - start, n - i);
        data.set(block.subarray(start, start + len), i);
        if (len < block.length && i + len < n) data.set(block.subarray(0, Math.min(start, n - i - len)), i + len);
      }
    offset += 7919;
    weights.set(name, f32Tensor(shape, data));
  }
  return weights;
}

const GiB = 2 ** 30;
const gib = (bytes: number) => Math.round((bytes / GiB) * 100) / 100;

export async function runRealSize(
  size: RealSize,
  ep: ExecutionProvider,
  b: number,
  t: number,
  threads: number,
  layers?: number,
  limitOverride?: number,
) {
  const config = qwenShapedConfig(size, layers);
  const adapterInfo = await describeWebGpuAdapter();
  const limit =
    limitOverride ?? ("limits" in adapterInfo ? adapterInfo.limits.maxStorageBufferBindingSize : DEFAULT_LIMIT);
  const t0 = performance.now();
  const weights = randomWeights(config);
  const adapter = createLoraAdapter(config, LORA, new Rng(3));
  const params = Object.fromEntries([...adapter.tensors].map(([k, v]) => [k, v.data]));
  const rng = new Rng(5);
  const ids = Array.from({ length: b }, () => Array.from({ length: t }, () => 3 + rng.int(config.vocabSize - 3)));
  const batch = decoderBatch({ inputIds: ids, labels: ids });
  const session = DecoderSession.create(config, {
    weights,
    lora: LORA,
    bufferLimit: { bytes: limit, maxTokens: b * t },
    session: { ep, ...(threads > 0 ? { intraOpThreads: threads } : {}) },
  });
  const result: Record<string, unknown> = {
    model: `${size} shapes (random weights)${layers !== undefined ? `, ${layers} layers` : ""}`,
    ep,
    parameters: [...weights.values()].reduce((s, w) => s + w.data.length, 0),
    lora_parameters: Object.values(params).reduce((s, p) => s + p.length, 0),
    batch: [b, t],
    weights_ms: Math.round(performance.now() - t0),
  };
  result.adapter = "limits" in adapterInfo ? `${adapterInfo.vendor} ${adapterInfo.device}` : adapterInfo.error;
  result.max_storage_buffer_binding_size = limit;
  result.at_this_batch = graphSizesAt(config, weights, b, t, limit);
  result.at_8x512 = graphSizesAt(config, weights, 8, 512, limit);
  // The largest batch of 512-token sequences whose training graph has no tensor above the limit.
  for (let micro = 8; micro >= 1; micro--) {
    if (graphSizesAt(config, weights, micro, 512, limit).training.oversized.length > 0) continue;
    result.largest_fitting_batch_at_seq_512 = micro;
    break;
  }
  const estimate = estimateTrainingBytes(config, LORA.r, 8, 512);
  result.estimate_gib_8x512 = {
    weights: gib(estimate.weights),
    activations: gib(estimate.activations),
    vocabulary: gib(estimate.vocabulary),
    total: gib(estimate.total),
  };
  try {
    const s0 = performance.now();
    const first = await session.lossAndGrads(batch, params); // builds, serialises and loads the graph
    result.first_step_ms = Math.round(performance.now() - s0);
    const s1 = performance.now();
    const second = await session.lossAndGrads(batch, params);
    result.step_ms = Math.round(performance.now() - s1);
    result.loss = first.loss;
    result.loss_repeat_equal = first.loss === second.loss;
    result.loss_near_ln_vocab = Math.abs(first.loss - Math.log(config.vocabSize)) < 1; // random weights: ≈ uniform
    result.grads_finite = Object.values(first.grads).every((g) => g.every(Number.isFinite));
  } catch (e) {
    result.error = (e as Error).message.split("\n")[0].slice(0, 400);
    if (process.env.DEBUG_REAL_SIZES) console.error(e);
  } finally {
    await session.release();
  }
  result.peak_rss_gib = gib(process.resourceUsage().maxRSS * 1024);
  return result;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      model: { type: "string", default: "qwen2.5-0.5b" },
      ep: { type: "string", default: "cpu" },
      batch: { type: "string", default: "1" },
      seq: { type: "string", default: "32" },
      threads: { type: "string", default: "2" },
      layers: { type: "string" },
      limit: { type: "string" },
    },
  });
  if (!(values.model in SHAPES) || (values.ep !== "cpu" && values.ep !== "webgpu"))
    throw new Error(`--model ${Object.keys(SHAPES).join("|")} --ep cpu|webgpu`);
  const r = await runRealSize(
    values.model as RealSize,
    values.ep,
    Number(values.batch),
    Number(values.seq),
    Number(values.threads),
    values.layers === undefined ? undefined : Number(values.layers),
    values.limit === undefined ? undefined : Number(values.limit),
  );
  console.log(JSON.stringify(r, null, 1));
}
