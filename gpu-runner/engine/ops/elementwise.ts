import type { DType } from "../graph/dtype.ts";
import { graphOf, toTensor, Tensor, type Operand } from "../graph/graph.ts";
import { broadcastShapes } from "../graph/shape.ts";

/** Emits a broadcasting binary op; numbers become scalar constants of the tensor operand's dtype. */
export function emitBinary(opType: string, a: Operand, b: Operand, outDtype?: DType): Tensor {
  const g = graphOf([a, b], opType);
  const dtype = a instanceof Tensor ? a.dtype : (b as Tensor).dtype;
  const ta = toTensor(g, a, dtype);
  const tb = toTensor(g, b, dtype);
  if (ta.dtype !== tb.dtype) throw new Error(`${opType}: dtype mismatch between ${ta} and ${tb}`);
  const shape = broadcastShapes([ta.shape, tb.shape], `${opType}(${ta.name}, ${tb.name})`);
  return g.addNode(opType, [ta, tb], {}, [{ dtype: outDtype ?? dtype, shape }])[0];
}

/** Emits a shape-preserving unary op. */
export function emitUnary(opType: string, x: Tensor, outDtype?: DType): Tensor {
  return x.graph.addNode(opType, [x], {}, [{ dtype: outDtype ?? x.dtype, shape: x.shape }])[0];
}
