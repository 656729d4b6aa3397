import type { Tensor } from "../graph/graph.ts";
import { broadcastShapes, dimsConflict } from "../graph/shape.ts";
import { inputsOf, single, type OpDef } from "./op-def.ts";
import { transposeLast2 } from "./transpose.ts";

/** Batched matrix product: a [..., M, K] @ b [..., K, N] → [..., M, N] (batch dims broadcast). */
export function matmul(a: Tensor, b: Tensor): Tensor {
  const what = `MatMul(${a}, ${b})`;
  if (a.rank < 2 || b.rank < 2) throw new Error(`${what}: operands need rank ≥ 2`);
  if (a.dtype !== b.dtype) throw new Error(`${what}: dtype mismatch`);
  const k1 = a.shape[a.rank - 1];
  const k2 = b.shape[b.rank - 2];
  if (dimsConflict(k1, k2)) throw new Error(`${what}: inner dims ${k1} and ${k2} differ`);
  const batch = broadcastShapes([a.shape.slice(0, -2), b.shape.slice(0, -2)], what);
  const dims = [...batch, a.shape[a.rank - 2], b.shape[b.rank - 1]];
  return a.graph.addNode("MatMul", [a, b], {}, [{ dtype: a.dtype, shape: dims }])[0];
}

export const matmulOp: OpDef = {
  opType: "MatMul",
  grad: (node, dOut, b, needs) => {
    const [x, w] = inputsOf(node);
    const dy = single(node, dOut); // [..., M, N]
    let dx: Tensor | undefined;
    let dw: Tensor | undefined;
    if (needs[0]) dx = b.sumToShape(b.matmul(dy, transposeLast2(w)), x); // dy @ wᵀ
    if (needs[1]) {
      const k = x.shape[x.rank - 1];
      const n = dy.shape[dy.rank - 1];
      if (w.rank === 2 && x.rank > 2 && typeof k === "number" && typeof n === "number") {
        // A shared weight: fold the batch into one GEMM, xᵀ[K, B·M] @ dy[B·M, N].
        dw = b.matmul(transposeLast2(b.reshape(x, [-1, k])), b.reshape(dy, [-1, n]));
      } else {
        dw = b.sumToShape(b.matmul(transposeLast2(x), dy), w);
      }
    }
    return [dx, dw];
  },
};
