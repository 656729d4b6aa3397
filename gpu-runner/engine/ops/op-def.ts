import type { Node, Tensor } from "../graph/graph.ts";
import type { Builders } from "./builders.ts";

export type Grads = readonly (Tensor | undefined)[];

/**
 * A gradient rule: given the node and the gradients of its outputs (undefined where no gradient flows),
 * returns one entry per node input. `needs[i]` says whether input i wants a gradient, so rules can skip work.
 * Other ops are emitted through `b` (injected by the registry, which keeps op files free of import cycles).
 */
export type GradRule = (node: Node, dOutputs: Grads, b: Builders, needs: readonly boolean[]) => Grads;

export interface OpDef {
  readonly opType: string;
  readonly domain?: string;
  /** Missing for ops whose outputs carry no gradient (comparisons, shapes, index ops). */
  readonly grad?: GradRule;
}

/** The node's inputs, asserting none is an omitted optional input. */
export function inputsOf(node: Node): Tensor[] {
  return node.inputs.map((t, i) => {
    if (t === undefined) throw new Error(`${node.opType} node '${node.name}': input ${i} is omitted`);
    return t;
  });
}

/** The gradient of the single output, asserting there is one. */
export function single(node: Node, dOutputs: Grads): Tensor {
  const d = dOutputs[0];
  if (d === undefined) throw new Error(`${node.opType} node '${node.name}': no output gradient`);
  return d;
}

/** A gradient for the first input only, padded to the node's input count (axes/shape inputs get none). */
export function firstOnly(node: Node, d: Tensor | undefined): Grads {
  return node.inputs.map((_, i) => (i === 0 ? d : undefined));
}
