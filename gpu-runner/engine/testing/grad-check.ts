/**
 * Gradient checking for tests: compares the engine's reverse-mode gradients with central finite differences,
 * both computed by real onnxruntime sessions.
 */
import { gradients } from "../autodiff/gradients.ts";
import { Graph, type Tensor } from "../graph/graph.ts";
import { elementCount, f64, type HostTensor } from "../graph/host-tensor.ts";
import type { Shape } from "../graph/shape.ts";
import { mul } from "../ops/mul.ts";
import { reduceSum } from "../ops/reduce-sum.ts";
import { encodeModel } from "../onnx/encode-model.ts";
import { Rng } from "../rng.ts";
import { EngineSession } from "../runtime/ort-runtime.ts";

export interface CheckInput {
  readonly name: string;
  /** Declared shape (may be symbolic); the feed gives the concrete one. */
  readonly shape?: Shape;
  readonly feed: HostTensor;
  /** Differentiate with respect to this input (default: true for float64 feeds). */
  readonly grad?: boolean;
}

export interface GradCheckCase {
  readonly inputs: readonly CheckInput[];
  readonly build: (inputs: Tensor[], g: Graph) => Tensor;
  readonly eps?: number;
  readonly atol?: number;
  readonly rtol?: number;
}

export interface GradCheckResult {
  readonly maxAbsError: number;
  readonly checked: number;
}

const session = (g: Graph) =>
  EngineSession.create(encodeModel(g), { intraOpThreads: 1, graphOptimizationLevel: "all" });

function declare(g: Graph, inputs: readonly CheckInput[]): Tensor[] {
  return inputs.map((i) => g.input(i.name, i.feed.dtype, i.shape ?? i.feed.dims));
}

/** Random float64 host tensor, deterministic per seed. */
export function randomF64(dims: readonly number[], seed: number, scale = 1, offset = 0): HostTensor {
  const rng = new Rng(seed);
  return f64(
    dims,
    Array.from({ length: elementCount(dims) }, () => offset + scale * (rng.uniform() * 2 - 1)),
  );
}

/** Throws with the worst element when analytic and numeric gradients disagree. */
export async function checkGradients(c: GradCheckCase): Promise<GradCheckResult> {
  const eps = c.eps ?? 1e-6;
  const atol = c.atol ?? 1e-7;
  const rtol = c.rtol ?? 1e-5;
  const feeds: Record<string, HostTensor> = Object.fromEntries(c.inputs.map((i) => [i.name, i.feed]));
  const wrtIdx = c.inputs.flatMap((i, k) => ((i.grad ?? i.feed.dtype === "float64") ? [k] : []));

  // Forward graph: y and its concrete shape.
  const fg = new Graph("forward");
  fg.output(c.build(declare(fg, c.inputs), fg), "y");
  const fwd = await session(fg);
  const y0 = (await fwd.run(feeds)).y;
  const probe = randomF64(y0.dims, 99);
  const objective = async (f: Record<string, HostTensor>): Promise<number> => {
    const y = (await fwd.run(f)).y.data as Float64Array;
    let s = 0;
    for (let i = 0; i < y.length; i++) s += y[i] * (probe.data as Float64Array)[i];
    return s;
  };

  // Gradient graph: loss = Σ y ⊙ probe, differentiated with respect to the chosen inputs.
  const bg = new Graph("backward");
  const xs = declare(bg, c.inputs);
  const y = c.build(xs, bg);
  const p = bg.input("probe", "float64", y.shape);
  bg.output(reduceSum(mul(y, p)), "loss");
  const grads = gradients(
    bg.outputs[0],
    wrtIdx.map((k) => xs[k]),
  );
  grads.forEach((d, j) => bg.output(d, `grad_${j}`));
  const bwd = await session(bg);
  const res = await bwd.run({ ...feeds, probe });

  let maxAbsError = 0;
  let checked = 0;
  for (const [j, k] of wrtIdx.entries()) {
    const inp = c.inputs[k];
    const analytic = res[`grad_${j}`];
    if (analytic.dims.join() !== inp.feed.dims.join()) {
      throw new Error(`gradient of '${inp.name}' has dims [${analytic.dims}] but the input has [${inp.feed.dims}]`);
    }
    const base = inp.feed.data as Float64Array;
    for (let e = 0; e < base.length; e++) {
      const plus = Float64Array.from(base);
      const minus = Float64Array.from(base);
      plus[e] += eps;
      minus[e] -= eps;
      const fp = await objective({ ...feeds, [inp.name]: f64(inp.feed.dims, plus) });
      const fm = await objective({ ...feeds, [inp.name]: f64(inp.feed.dims, minus) });
      const numeric = (fp - fm) / (2 * eps);
      const a = (analytic.data as Float64Array)[e];
      const err = Math.abs(a - numeric);
      maxAbsError = Math.max(maxAbsError, err);
      checked++;
      if (!(err <= atol + rtol * Math.abs(numeric))) {
        throw new Error(`gradient of '${inp.name}'[${e}]: analytic ${a} vs numeric ${numeric} (error ${err})`);
      }
    }
  }
  await fwd.release();
  await bwd.release();
  return { maxAbsError, checked };
}
