/** Graphs for the engine MatMul bench: a SwiGLU MLP stack (full or LoRA training) and a raw MatMul. */
import {
  add,
  addTrainingOutputs,
  div,
  encodeModel,
  f32,
  Graph,
  loraLinear,
  matmul,
  mul,
  reduceMean,
  rmsNorm,
  Rng,
  sqrt,
  sub,
  swiglu,
  type HostTensor,
  type Tensor,
  type TrainOutputs,
} from "../gpu-runner/engine/index.ts";

export interface StackShape {
  readonly tokens: number; // batch × sequence, flattened
  readonly hidden: number;
  readonly ffn: number;
  readonly layers: number;
}

export interface BenchGraph {
  readonly model: Uint8Array;
  readonly outputs: TrainOutputs;
  readonly feeds: Record<string, HostTensor>;
  /** Model FLOPs of the matmuls per step (forward + backward). */
  readonly flops: number;
}

const rng = new Rng(1);
const weight = (out: number, inp: number) => f32([out, inp], rng.normalArray(out * inp, 1 / Math.sqrt(inp)));

/**
 * Pre-norm SwiGLU MLP blocks with residuals; loss = mean(h²). `mode` "full" trains every projection
 * (weights fed as inputs); "lora-inputs"/"lora-initializers" train rank-16 adapters on all three projections
 * with the frozen base weights fed as inputs or baked in as initializers.
 */
export function mlpStack(s: StackShape, mode: "full" | "lora-inputs" | "lora-initializers", rank = 16): BenchGraph {
  const g = new Graph("mlp-stack");
  const feeds: Record<string, HostTensor> = { x: f32([s.tokens, s.hidden], rng.normalArray(s.tokens * s.hidden)) };
  const trainable: Tensor[] = [];
  const frozen = (name: string, t: HostTensor): Tensor => {
    if (mode === "lora-initializers") return g.initializer(name, t);
    feeds[name] = t;
    const x = g.input(name, "float32", t.dims);
    if (mode === "full") trainable.push(x);
    return x;
  };
  const adapter = (name: string, out: number, inp: number) => {
    if (mode === "full") return undefined;
    feeds[`${name}.a`] = weight(rank, inp);
    feeds[`${name}.b`] = f32([out, rank], rng.normalArray(out * rank, 0.01));
    const a = g.input(`${name}.a`, "float32", [rank, inp]);
    const b = g.input(`${name}.b`, "float32", [out, rank]);
    trainable.push(a, b);
    return { a, b, scale: 2 };
  };
  let h = g.input("x", "float32", ["N", s.hidden]);
  for (let l = 0; l < s.layers; l++) {
    const x = rmsNorm(h, g.initializer(`norm${l}`, f32([s.hidden], new Array(s.hidden).fill(1))), 1e-5);
    const gate = loraLinear(x, frozen(`gate${l}`, weight(s.ffn, s.hidden)), adapter(`gate${l}`, s.ffn, s.hidden));
    const up = loraLinear(x, frozen(`up${l}`, weight(s.ffn, s.hidden)), adapter(`up${l}`, s.ffn, s.hidden));
    h = add(
      h,
      loraLinear(swiglu(gate, up), frozen(`down${l}`, weight(s.hidden, s.ffn)), adapter(`down${l}`, s.hidden, s.ffn)),
    );
  }
  const outputs = addTrainingOutputs(g, reduceMean(mul(h, h)), trainable);
  // Forward 2·N·K·M per projection; backward doubles it for full training (dX and dW). With LoRA the frozen
  // weight still costs dX in backward, and dW is skipped.
  const perLayer = 3 * 2 * s.tokens * s.hidden * s.ffn;
  const flops = s.layers * perLayer * (mode === "full" ? 3 : 2);
  return { model: encodeModel(g), outputs, feeds, flops };
}

/** One MatMul x[M, K] @ w[K, N] with both operands fed per run (as the training graph feeds weights). */
export function rawMatmul(
  m: number,
  k: number,
  n: number,
): { model: Uint8Array; feeds: Record<string, HostTensor>; flops: number } {
  const g = new Graph("matmul");
  g.output(matmul(g.input("x", "float32", [m, k]), g.input("w", "float32", [k, n])), "y");
  return {
    model: encodeModel(g),
    feeds: { x: f32([m, k], rng.normalArray(m * k)), w: f32([k, n], rng.normalArray(k * n)) },
    flops: 2 * m * k * n,
  };
}

/** The AdamW update as an ONNX graph over one flat parameter vector (for comparison with the TypeScript one). */
export function adamwGraph(n: number): { model: Uint8Array; feeds: Record<string, HostTensor> } {
  const g = new Graph("adamw");
  const [p, gr, m, v] = ["p", "g", "m", "v"].map((name) => g.input(name, "float32", [n]));
  const [lr, bc1, bc2s] = ["lr", "bc1", "bc2s"].map((name) => g.input(name, "float32", []));
  const decayed = mul(p, sub(1, mul(lr, 0.01)));
  const m2 = add(m, mul(sub(gr, m), 0.1));
  const v2 = add(mul(v, 0.999), mul(mul(gr, gr), 0.001));
  const denom = add(div(sqrt(v2), bc2s), 1e-8);
  g.output(sub(decayed, div(mul(div(lr, bc1), m2), denom)), "p_new");
  g.output(m2, "m_new");
  g.output(v2, "v_new");
  const vec = () => f32([n], rng.normalArray(n, 0.1));
  return {
    model: encodeModel(g),
    feeds: {
      p: vec(),
      g: vec(),
      m: vec(),
      v: f32([n], new Float32Array(n).fill(0.01)),
      lr: f32([], [1e-3]),
      bc1: f32([], [0.1]),
      bc2s: f32([], [0.03]),
    },
  };
}

/** Element count of the LoRA parameters in `mlpStack` at `rank`. */
export function loraParamCount(s: StackShape, rank = 16): number {
  return s.layers * rank * (2 * (s.hidden + s.ffn) + (s.ffn + s.hidden));
}
