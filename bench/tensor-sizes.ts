/**
 * The byte size of every tensor of a built graph at a concrete batch shape — weights, inputs and every node
 * output, gradients included, after the WebGPU lowering — read from the graph's own (symbolic) shapes, so
 * a check against the adapter's binding limit covers each buffer a kernel binds, not a hand-picked list.
 */
import { lowerForWebGpu, type Graph, type Tensor } from "../gpu-runner/engine/index.ts";

const BYTES: Readonly<Record<string, number>> = { float32: 4, float16: 2, float64: 8, int64: 8, int32: 4, bool: 1 };

/** Evaluates a symbolic dim ("B", "B*T", "T-1", "2*B*T") with the given symbol values; undefined if unknown. */
export function evalDim(d: number | string, symbols: Readonly<Record<string, number>>): number | undefined {
  if (typeof d === "number") return d;
  let total = 0;
  for (const term of d.replace(/\s/g, "").match(/[+-]?[^+-]+/g) ?? []) {
    const sign = term.startsWith("-") ? -1 : 1;
    let product = 1;
    for (const f of term.replace(/^[+-]/, "").split("*")) {
      const v = /^\d+$/.test(f) ? Number(f) : symbols[f];
      if (v === undefined) return undefined;
      product *= v;
    }
    total += sign * product;
  }
  return total;
}

export interface TensorSize {
  readonly name: string;
  readonly shape: string;
  readonly bytes: number;
}

export interface GraphSizes {
  readonly tensors: number;
  /** The largest tensors, largest first. */
  readonly largest: TensorSize[];
  /** Tensors above `limit` bytes. */
  readonly oversized: TensorSize[];
  /** Tensors with a dim the symbols do not determine (counted, not sized). */
  readonly unresolved: string[];
}

/** Sizes every tensor of `g` (as lowered for WebGPU) with the symbol values, against a byte limit. */
export function graphTensorSizes(
  g: Graph,
  symbols: Readonly<Record<string, number>>,
  limit: number,
  top = 5,
): GraphSizes {
  const seen = new Map<string, Tensor>();
  for (const t of g.inputs) seen.set(t.name, t);
  for (const i of g.initializers) seen.set(i.tensor.name, i.tensor);
  for (const n of lowerForWebGpu(g)) for (const t of n.outputs) seen.set(t.name, t);
  const sized: TensorSize[] = [];
  const unresolved: string[] = [];
  for (const t of seen.values()) {
    const dims = t.shape.map((d) => evalDim(d, symbols));
    if (dims.some((d) => d === undefined)) {
      unresolved.push(`${t.name} [${t.shape.join(", ")}]`);
      continue;
    }
    const count = (dims as number[]).reduce((a, b) => a * b, 1);
    sized.push({ name: t.name, shape: `[${dims.join(", ")}]`, bytes: count * (BYTES[t.dtype] ?? 4) });
  }
  sized.sort((a, b) => b.bytes - a.bytes);
  return {
    tensors: seen.size,
    largest: sized.slice(0, top),
    oversized: sized.filter((s) => s.bytes > limit),
    unresolved,
  };
}
