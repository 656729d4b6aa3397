/**
 * Two tiny trainable models for tests: an MLP classifier and a one-layer attention language model
 * (embedding, RoPE, GQA causal attention with padding, SwiGLU MLP, RMSNorm, cross-entropy).
 */
import { addTrainingOutputs, type TrainOutputs } from "../runtime/step-executor.ts";
import { Graph, type Tensor } from "../graph/graph.ts";
import { f32, i64, type HostTensor } from "../graph/host-tensor.ts";
import { add } from "../ops/add.ts";
import { gather } from "../ops/gather.ts";
import { reshape } from "../ops/reshape.ts";
import { slice, END } from "../ops/slice.ts";
import { tanh } from "../ops/tanh.ts";
import { transpose } from "../ops/transpose.ts";
import { swiglu } from "../composites/activations.ts";
import { attention, causalMask } from "../composites/attention.ts";
import { crossEntropy } from "../composites/cross-entropy.ts";
import { linear } from "../composites/linear.ts";
import { rmsNorm } from "../composites/rms-norm.ts";
import { applyRope, ropeCosSin, ropeInvFreq } from "../composites/rope.ts";
import { encodeModel } from "../onnx/encode-model.ts";
import { Rng } from "../rng.ts";

export interface TinyModel {
  readonly model: Uint8Array;
  readonly outputs: TrainOutputs;
  readonly params: Record<string, HostTensor>;
}

function param(
  g: Graph,
  params: Record<string, HostTensor>,
  rng: Rng,
  name: string,
  dims: number[],
  std: number,
  fill?: number,
): Tensor {
  const n = dims.reduce((a, b) => a * b, 1);
  params[name] = f32(dims, fill === undefined ? rng.normalArray(n, std) : new Float32Array(n).fill(fill));
  return g.input(name, "float32", dims);
}

/** x [N, 2] → tanh(x W₁ᵀ + b₁) W₂ᵀ + b₂ → 2 classes. */
export function buildMlp(seed: number, hidden = 16): TinyModel {
  const rng = new Rng(seed);
  const g = new Graph("mlp");
  const params: Record<string, HostTensor> = {};
  const x = g.input("x", "float32", ["N", 2]);
  const y = g.input("y", "int64", ["N"]);
  const w1 = param(g, params, rng, "w1", [hidden, 2], 1);
  const b1 = param(g, params, rng, "b1", [hidden], 0, 0);
  const w2 = param(g, params, rng, "w2", [2, hidden], 0.3);
  const b2 = param(g, params, rng, "b2", [2], 0, 0);
  const logits = linear(tanh(linear(x, w1, b1)), w2, b2);
  const outputs = addTrainingOutputs(g, crossEntropy(logits, y), [w1, b1, w2, b2]);
  return { model: encodeModel(g), outputs, params };
}

/** XOR of the signs of two coordinates, with jitter: not linearly separable. */
export function xorData(seed: number, n: number): { x: HostTensor; y: HostTensor } {
  const rng = new Rng(seed);
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = rng.uniform() < 0.5 ? -1 : 1;
    const b = rng.uniform() < 0.5 ? -1 : 1;
    xs.push(a + 0.2 * rng.normal(), b + 0.2 * rng.normal());
    ys.push(a === b ? 0 : 1);
  }
  return { x: f32([n, 2], xs), y: i64([n], ys) };
}

export interface AttentionDims {
  readonly vocab: number;
  readonly hidden: number;
  readonly heads: number;
  readonly kvHeads: number;
  readonly ffn: number;
}

/** One pre-norm decoder layer + LM head; loss = CE of logits[:, :-1] against labels[:, 1:]. */
export function buildAttentionLm(seed: number, d: AttentionDims): TinyModel {
  const rng = new Rng(seed);
  const g = new Graph("attention-lm");
  const params: Record<string, HostTensor> = {};
  const headDim = d.hidden / d.heads;
  const ids = g.input("input_ids", "int64", ["B", "T"]);
  const mask = g.input("attention_mask", "int64", ["B", "T"]);
  const labels = g.input("labels", "int64", ["B", "T"]);
  const pos = g.input("position_ids", "int64", ["B", "T"]);
  const p = (name: string, dims: number[], std: number, fill?: number) => param(g, params, rng, name, dims, std, fill);
  const emb = p("embed", [d.vocab, d.hidden], 1);
  const h0 = gather(emb, ids); // [B, T, H]
  const x = rmsNorm(h0, p("norm1", [d.hidden], 0, 1), 1e-5);
  const heads = (t: Tensor, n: number) => transpose(reshape(t, [0, 0, n, headDim]), [0, 2, 1, 3]); // [B, n, T, hd]
  const { cos, sin } = ropeCosSin(pos, ropeInvFreq(headDim, 10000));
  const q = applyRope(heads(linear(x, p("wq", [d.hidden, d.hidden], 0.3)), d.heads), cos, sin);
  const k = applyRope(heads(linear(x, p("wk", [d.kvHeads * headDim, d.hidden], 0.3)), d.kvHeads), cos, sin);
  const v = heads(linear(x, p("wv", [d.kvHeads * headDim, d.hidden], 0.3)), d.kvHeads);
  const o = reshape(transpose(attention(q, k, v, { mask: causalMask(mask) }), [0, 2, 1, 3]), [0, 0, d.hidden]); // [B, T, H]
  const h1 = add(h0, linear(o, p("wo", [d.hidden, d.hidden], 0.3)));
  const x2 = rmsNorm(h1, p("norm2", [d.hidden], 0, 1), 1e-5);
  const mlp = linear(
    swiglu(linear(x2, p("wg", [d.ffn, d.hidden], 0.3)), linear(x2, p("wu", [d.ffn, d.hidden], 0.3))),
    p("wd", [d.hidden, d.ffn], 0.3),
  );
  const h2 = add(h1, mlp);
  const logits = linear(rmsNorm(h2, p("norm3", [d.hidden], 0, 1), 1e-5), p("lm_head", [d.vocab, d.hidden], 0.3)); // [B, T, V]
  const loss = crossEntropy(slice(logits, [0], [-1], [1]), slice(labels, [1], [END], [1]));
  const trainable = g.inputs.filter((t) => t.name in params);
  const outputs = addTrainingOutputs(g, loss, trainable);
  return { model: encodeModel(g), outputs, params };
}

/** "Repeat the previous token" sequences, right-padded; labels are −100 on padding. */
export function previousTokenData(seed: number, batch: number, t: number, vocab: number): Record<string, HostTensor> {
  const rng = new Rng(seed);
  const ids: number[] = [];
  const mask: number[] = [];
  const labels: number[] = [];
  const pos: number[] = [];
  for (let b = 0; b < batch; b++) {
    const len = t - (b % 3); // some rows padded by 1 or 2
    const seq = Array.from({ length: len }, () => 1 + rng.int(vocab - 1));
    for (let i = 0; i < t; i++) {
      const real = i < len;
      ids.push(real ? seq[i] : 0);
      mask.push(real ? 1 : 0);
      // Logits at j are scored against labels[j + 1] (HF shift) and should name the token before j.
      labels.push(real && i >= 2 ? seq[i - 2] : -100);
      pos.push(i);
    }
  }
  const dims = [batch, t];
  return {
    input_ids: i64(dims, ids),
    attention_mask: i64(dims, mask),
    labels: i64(dims, labels),
    position_ids: i64(dims, pos),
  };
}
