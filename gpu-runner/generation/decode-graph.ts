/**
 * The KV-cache decode graph of a Llama / Qwen2 / Mistral decoder, for generation only (no gradients).
 * One graph serves prefill and per-token steps: it takes the new tokens, their positions and the cache
 * so far, and returns the last position's logits and the grown cache. An adapter is applied by merging it
 * into the weights before the graph is built.
 *
 * Inputs:  input_ids [B, S], position_ids [B, S], cache_position [S] (index of each new token in the
 *          cache), attention_mask [B, P+S] over every key (1 = token, 0 = padding),
 *          past_key.<l> / past_value.<l> [B, Hkv, P, D] (P = 0 for the prefill).
 * Outputs: logits [B, V] at the last new position, present_key.<l> / present_value.<l> [B, Hkv, P+S, D].
 */
import {
  Graph,
  applyRope,
  attention,
  concat,
  f32,
  linear,
  reshape,
  rmsNorm,
  ropeCosSin,
  slice,
  squeeze,
  swiglu,
  transpose,
  add,
  END,
  type Tensor,
} from "../engine/index.ts";
import { ropeInverseFrequencies, type DecoderConfig, type F32Tensor } from "../models/index.ts";
import { decoderAttentionMask, roundTo } from "../models/decoder/decoder-graph.ts";
import {
  embedTokens,
  headLogits,
  mlp,
  vocabInitializers,
  vocabRowsOf,
  wholeLogits,
  type BufferLayout,
  type RopeDtype,
} from "../models/decoder/index.ts";

export interface DecodeGraph {
  readonly graph: Graph;
  readonly numLayers: number;
  readonly numKvHeads: number;
  readonly headDim: number;
}

/**
 * `externalWeights` keeps the weights out of the protobuf (needed above 2 GB; see engine/runtime/load-graph.ts).
 * `ropeDtype` rounds the RoPE frequencies as transformers does for half-precision checkpoints.
 */
export function buildDecodeGraph(
  config: DecoderConfig,
  weights: ReadonlyMap<string, F32Tensor>,
  externalWeights = false,
  ropeDtype: RopeDtype = "float32",
  layout: BufferLayout = {},
): DecodeGraph {
  const g = new Graph("decode");
  // the embedding and LM head in row chunks (decoder-vocab), each under the adapter's binding limit
  const vocabMatrix = (name: string) => {
    const t = weights.get(name);
    if (t === undefined) throw new Error(`decode graph: weight '${name}' is missing`);
    return vocabInitializers(g, name, t, vocabRowsOf(config, layout), externalWeights);
  };
  const embed = vocabMatrix("model.embed_tokens.weight");
  const limit = layout.bufferLimit;
  const maxMlpColumns = limit ? Math.floor(limit.bytes / (4 * limit.maxTokens)) : Infinity; // float32 [tokens, I]
  const head = config.tieWordEmbeddings ? embed : vocabMatrix("lm_head.weight");
  const bound = new Map<string, Tensor>();
  const w = (name: string): Tensor => {
    let tensor = bound.get(name);
    if (tensor === undefined) {
      const t = weights.get(name);
      if (t === undefined) throw new Error(`decode graph: weight '${name}' is missing`);
      bound.set(name, (tensor = g.initializer(name, f32(t.shape, t.data), { external: externalWeights })));
    }
    return tensor;
  };
  const maybe = (name: string, present: boolean) => (present ? w(name) : undefined);
  const { numHeads: hq, numKvHeads: hkv, headDim: d } = config;

  const inputIds = g.input("input_ids", "int64", ["B", "S"]);
  const positionIds = g.input("position_ids", "int64", ["B", "S"]);
  const cachePosition = g.input("cache_position", "int64", ["S"]);
  const { cos, sin } = ropeCosSin(
    positionIds,
    roundTo(ropeInverseFrequencies(d, config.ropeTheta, config.ropeScaling), ropeDtype),
  ); // [B, S, D]

  let x = embedTokens(embed, inputIds); // [B, S, H]
  let mask: Tensor | undefined;
  for (let l = 0; l < config.numLayers; l++) {
    const p = `model.layers.${l}`;
    const heads = (t: Tensor, n: number) => transpose(reshape(t, [0, 0, n, d]), [0, 2, 1, 3]); // [B, n, S, D]
    const normed = rmsNorm(x, w(`${p}.input_layernorm.weight`), config.rmsNormEps);
    const q = applyRope(
      heads(linear(normed, w(`${p}.self_attn.q_proj.weight`), maybe(`${p}.self_attn.q_proj.bias`, config.qkvBias)), hq),
      cos,
      sin,
    );
    const k = applyRope(
      heads(
        linear(normed, w(`${p}.self_attn.k_proj.weight`), maybe(`${p}.self_attn.k_proj.bias`, config.qkvBias)),
        hkv,
      ),
      cos,
      sin,
    );
    const v = heads(
      linear(normed, w(`${p}.self_attn.v_proj.weight`), maybe(`${p}.self_attn.v_proj.bias`, config.qkvBias)),
      hkv,
    );
    const pastK = g.input(`past_key.${l}`, "float32", ["B", hkv, "P", d]);
    const pastV = g.input(`past_value.${l}`, "float32", ["B", hkv, "P", d]);
    const keys = concat([pastK, k], 2); // [B, Hkv, P+S, D]
    const values = concat([pastV, v], 2);
    g.output(keys, `present_key.${l}`);
    g.output(values, `present_value.${l}`);
    if (mask === undefined)
      mask = decoderAttentionMask(
        g.input("attention_mask", "int64", ["B", keys.shape[2]]),
        config.slidingWindow,
        cachePosition,
      ); // [B, 1, S, P+S]
    const attended = attention(q, keys, values, { mask }); // [B, Hq, S, D]
    const merged = reshape(transpose(attended, [0, 2, 1, 3]), [0, 0, hq * d]); // [B, S, Hq·D]
    x = add(
      x,
      linear(merged, w(`${p}.self_attn.o_proj.weight`), maybe(`${p}.self_attn.o_proj.bias`, config.oProjBias)),
    );
    const normed2 = rmsNorm(x, w(`${p}.post_attention_layernorm.weight`), config.rmsNormEps);
    if (maxMlpColumns < config.intermediateSize) {
      // a prefill whose activations [B, S, I] would exceed the buffer limit: the MLP in column chunks
      const names = ["gate_proj", "up_proj", "down_proj"].flatMap((proj) => [
        `${p}.mlp.${proj}.weight`,
        ...(config.mlpBias ? [`${p}.mlp.${proj}.bias`] : []),
      ]);
      x = add(x, mlp({ weights: new Map(names.map((n) => [n, w(n)])) }, normed2, l, maxMlpColumns));
      continue;
    }
    const bias = (proj: string) => maybe(`${p}.mlp.${proj}.bias`, config.mlpBias);
    const gated = swiglu(
      linear(normed2, w(`${p}.mlp.gate_proj.weight`), bias("gate_proj")),
      linear(normed2, w(`${p}.mlp.up_proj.weight`), bias("up_proj")),
    );
    x = add(x, linear(gated, w(`${p}.mlp.down_proj.weight`), bias("down_proj")));
  }
  const last = squeeze(slice(x, [-1], [END], [1]), [1]); // [B, H]
  const normed = rmsNorm(last, w("model.norm.weight"), config.rmsNormEps);
  g.output(wholeLogits(headLogits(normed, head)), "logits"); // [B, V]
  return { graph: g, numLayers: config.numLayers, numKvHeads: hkv, headDim: d };
}
