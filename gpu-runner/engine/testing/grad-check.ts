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
import { loadGraph } from "../runtime/load-graph.ts";
import { ON_WEBGPU, recordDeviation } from "./test-ep.ts";

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

/**
 * On WebGPU (`GUARDTUNE_TEST_EP=webgpu`): float64 has no WebGPU kernels, so the case is rebuilt in float32 and
 * its output and reverse-mode gradients, computed on WebGPU, must match the float64 CPU ones (which the CPU
 * pass checks against central differences) within this tolerance, relative to each tensor's max-abs.
 */
export const WEBGPU_GRAD_RTOL = 1e-4;

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
  if (ON_WEBGPU) {
    await fwd.release();
    await bwd.release();
    return checkOnWebGpu(c, wrtIdx, { ...res, y: y0 }, probe);
  }

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

const toF32 = (t: HostTensor): HostTensor =>
  t.dtype === "float64" ? { dtype: "float32", dims: t.dims, data: Float32Array.from(t.data as Float64Array) } : t;

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/** The case in float32 on WebGPU against the float64 CPU output `y` and gradients `grad_<j>`. */
async function checkOnWebGpu(
  c: GradCheckCase,
  wrtIdx: readonly number[],
  cpu: Readonly<Record<string, HostTensor>>,
  probe: HostTensor,
): Promise<GradCheckResult> {
  const inputs = c.inputs.map((i) => ({ ...i, feed: toF32(i.feed) }));
  const g = new Graph("backward-f32");
  const xs = declare(g, inputs);
  const y = c.build(xs, g);
  g.output(y, "y");
  const p = g.input("probe", y.dtype, y.shape);
  const grads = gradients(
    reduceSum(mul(y, p)),
    wrtIdx.map((k) => xs[k]),
  );
  grads.forEach((d, j) => g.output(d, `grad_${j}`));
  const s = await loadGraph(g, { ep: "webgpu", graphOptimizationLevel: "all" });
  const feeds = Object.fromEntries(inputs.map((i) => [i.name, i.feed]));
  const res = await s.session.run({ ...feeds, probe: y.dtype === "float32" ? toF32(probe) : probe });
  await s.release();
  const rtol = Math.max(WEBGPU_GRAD_RTOL, c.rtol ?? 0);
  let worst = 0;
  let checked = 0;
  for (const name of ["y", ...wrtIdx.map((_, j) => `grad_${j}`)]) {
    const want = cpu[name].data as Float64Array;
    const got = res[name].data as ArrayLike<number>;
    if (got.length !== want.length) throw new Error(`webgpu '${name}' has ${got.length} elements, cpu ${want.length}`);
    const scale = Math.max(maxAbs(want), 1e-30);
    for (let e = 0; e < want.length; e++) {
      const rel = Math.abs(got[e] - want[e]) / scale;
      worst = Math.max(worst, rel);
      if (name !== "y") checked++;
      if (!(rel <= rtol))
        throw new Error(
          `webgpu '${name}'[${e}]: ${got[e]} vs cpu float64 ${want[e]} (error ${rel} of max-abs ${scale})`,
        );
    }
  }
  recordDeviation("grad-check", worst, rtol);
  return { maxAbsError: worst, checked };
}
