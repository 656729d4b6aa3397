import { isFloatDType } from "../graph/dtype.ts";
import type { Node, Tensor } from "../graph/graph.ts";
import { dimsConflict } from "../graph/shape.ts";
import { add } from "../ops/add.ts";
import { zerosLike } from "../ops/constant-of-shape.ts";
import { builders, lookupOp } from "../ops/registry.ts";

export interface GradientOptions {
  /** Gradient of the (non-scalar) `loss` to start from; default 1 for a scalar loss. */
  readonly seed?: Tensor;
  /** Return zeros instead of failing for `wrt` tensors the loss does not depend on. */
  readonly allowUnused?: boolean;
}

/**
 * Reverse-mode autodiff: emits into the loss's graph the gradient of `loss` with respect to each of `wrt`
 * (returned in the same order). Only nodes on a path from some `wrt` to `loss` are differentiated, so
 * frozen weights cost nothing; `stopGradient` nodes cut paths.
 */
export function gradients(loss: Tensor, wrt: readonly Tensor[], options: GradientOptions = {}): Tensor[] {
  const g = loss.graph;
  for (const w of wrt) {
    if (w.graph !== g) throw new Error(`gradients: ${w} is not in the graph of ${loss}`);
    if (!isFloatDType(w.dtype)) throw new Error(`gradients: ${w} is not a float tensor`);
  }
  if (options.seed === undefined && loss.shape.some((d) => d !== 1)) {
    throw new Error(`gradients: loss ${loss} is not a scalar; pass a seed gradient`);
  }

  // Forward sweep (node order is topological): which tensors depend on some wrt tensor.
  const dependent = new Set<Tensor>(wrt);
  for (const n of g.nodes) {
    if (n.stopGradient) continue;
    if (n.inputs.some((t) => t !== undefined && dependent.has(t))) {
      for (const o of n.outputs) if (isFloatDType(o.dtype)) dependent.add(o);
    }
  }
  // Backward sweep: the dependent tensors the loss actually uses.
  const relevant = new Set<Tensor>([loss].filter((t) => dependent.has(t)));
  const nodes: Node[] = [];
  for (let i = g.nodes.length - 1; i >= 0; i--) {
    const n = g.nodes[i];
    if (n.stopGradient || !n.outputs.some((o) => relevant.has(o))) continue;
    nodes.push(n);
    for (const t of n.inputs) if (t !== undefined && dependent.has(t)) relevant.add(t);
  }

  const contributions = new Map<Tensor, Tensor[]>();
  const push = (t: Tensor, d: Tensor) => {
    const list = contributions.get(t);
    if (list) list.push(d);
    else contributions.set(t, [d]);
  };
  // Fan-out: a tensor used several times receives the sum of its gradients.
  const total = (t: Tensor): Tensor | undefined => {
    const list = contributions.get(t);
    if (!list) return undefined;
    const sum = list.reduce((acc, d) => add(acc, d));
    contributions.set(t, [sum]);
    return sum;
  };

  return g.scope("grad", () => {
    push(loss, options.seed ?? g.scalar(1, loss.dtype));
    for (const n of nodes) {
      const dOut = n.outputs.map(total);
      if (dOut.every((d) => d === undefined)) continue;
      const def = lookupOp(n.domain, n.opType);
      const where = `${n.opType} node '${n.name}' (output ${n.outputs[0]})`;
      if (!def?.grad) throw new Error(`No gradient rule for ${where}`);
      const needs = n.inputs.map((t) => t !== undefined && relevant.has(t));
      let dIn: readonly (Tensor | undefined)[];
      try {
        dIn = def.grad(n, dOut, builders, needs);
      } catch (e) {
        throw new Error(`Gradient of ${where} failed: ${(e as Error).message}`, { cause: e });
      }
      if (dIn.length !== n.inputs.length) {
        throw new Error(`Gradient rule of ${where} returned ${dIn.length} gradients for ${n.inputs.length} inputs`);
      }
      n.inputs.forEach((x, i) => {
        const d = dIn[i];
        if (x === undefined || !needs[i] || d === undefined) return;
        const mismatch =
          d.dtype !== x.dtype || d.rank !== x.rank || d.shape.some((v, k) => dimsConflict(v, x.shape[k]));
        if (mismatch) throw new Error(`Gradient rule of ${where} returned ${d} for input ${i} ${x}`);
        push(x, d);
      });
    }
    return wrt.map((w) => {
      const d = total(w);
      if (d !== undefined) return d;
      if (options.allowUnused) return zerosLike(w);
      throw new Error(`gradients: ${loss} does not depend on ${w}`);
    });
  });
}
