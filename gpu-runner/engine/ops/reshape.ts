import { dimProduct, dimQuotient } from "../graph/dim-math.ts";
import { Tensor } from "../graph/graph.ts";
import { formatShape, type Dim, type Shape } from "../graph/shape.ts";
import { inputsOf, single, type OpDef } from "./op-def.ts";

/** Output shape of ONNX Reshape (0 copies the input dim, −1 is inferred), with symbolic dims. */
export function inferReshape(input: Shape, target: readonly Dim[], fresh: () => string, what: string): Dim[] {
  const out: Dim[] = target.map((d, i) => {
    if (d !== 0) return d;
    if (i >= input.length)
      throw new Error(`${what}: 0 at position ${i} has no input dim to copy from ${formatShape(input)}`);
    return input[i];
  });
  const holes = out.filter((d) => d === -1).length;
  if (holes > 1) throw new Error(`${what}: more than one −1 in ${formatShape(target)}`);
  const total = dimProduct(input);
  if (holes === 1) {
    const known = dimProduct(out.filter((d) => d !== -1));
    const q = dimQuotient(total, known);
    if (q === undefined && typeof total === "number" && typeof known === "number") {
      throw new Error(`${what}: cannot reshape ${formatShape(input)} into ${formatShape(target)}`);
    }
    out[out.indexOf(-1)] = q ?? fresh();
  } else {
    const known = dimProduct(out);
    if (typeof total === "number" && typeof known === "number" && total !== known) {
      throw new Error(`${what}: cannot reshape ${formatShape(input)} (${total} elements) into ${formatShape(target)}`);
    }
  }
  return out;
}

/** Reshape with ONNX semantics; `shape` is a static list (0 = keep, −1 = infer) or a runtime int64 vector. */
export function reshape(x: Tensor, shape: readonly number[] | Tensor): Tensor {
  const g = x.graph;
  const what = `Reshape(${x})`;
  let target: Tensor;
  let dims: Dim[];
  if (shape instanceof Tensor) {
    target = shape;
    const len = shape.shape[0];
    if (typeof len !== "number") throw new Error(`${what}: the shape tensor needs a static length`);
    dims = shape.value
      ? inferReshape(x.shape, shape.value, () => g.freshDim(), what)
      : Array.from({ length: len }, () => g.freshDim());
  } else {
    dims = inferReshape(x.shape, shape, () => g.freshDim(), what);
    target = g.ints(shape);
  }
  return g.addNode("Reshape", [x, target], {}, [{ dtype: x.dtype, shape: dims }])[0];
}

export const reshapeOp: OpDef = {
  opType: "Reshape",
  grad: (node, dOut, b) => [b.reshape(single(node, dOut), b.shapeOf(inputsOf(node)[0])), undefined],
};
