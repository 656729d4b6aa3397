import type { Tensor } from "../graph/graph.ts";
import { dimsConflict, formatShape } from "../graph/shape.ts";
import { reduceSum } from "./reduce-sum.ts";
import { squeeze } from "./squeeze.ts";

/**
 * Reduces a broadcast gradient `dy` to the shape of `x`: sums the leading axes `x` lacks and the axes where
 * `x` has a literal 1. Decided statically (symbolic dims never broadcast, see graph/shape.ts).
 */
export function sumToShape(dy: Tensor, x: Tensor): Tensor {
  const lead = dy.rank - x.rank;
  const fail = (): never => {
    throw new Error(`cannot reduce gradient ${formatShape(dy.shape)} to the shape of ${x}`);
  };
  if (lead < 0) fail();
  const axes: number[] = [];
  for (let i = 0; i < lead; i++) axes.push(i);
  x.shape.forEach((d, k) => {
    const od = dy.shape[lead + k];
    if (d === 1 && od !== 1) axes.push(lead + k);
    else if (dimsConflict(d, od)) fail();
  });
  if (axes.length === 0) return dy;
  const summed = reduceSum(dy, axes, true);
  return lead > 0
    ? squeeze(
        summed,
        Array.from({ length: lead }, (_, i) => i),
      )
    : summed;
}
