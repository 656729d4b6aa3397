import type { Tensor } from "../graph/graph.ts";
import { cast } from "../ops/cast.ts";
import { div } from "../ops/div.ts";
import { reduceMean } from "../ops/reduce-mean.ts";
import { reduceSum } from "../ops/reduce-sum.ts";
import { where } from "../ops/where.ts";

export type Reduction = "mean" | "sum" | "none";

/**
 * Reduces per-position values over the positions where `mask` holds (bool, or numeric 0/1): "mean" divides by
 * the number of such positions (NaN when there are none, as torch), "sum" adds them, "none" zeroes the rest.
 */
export function maskedReduce(values: Tensor, mask: Tensor | undefined, reduction: Reduction): Tensor {
  if (mask === undefined)
    return reduction === "none" ? values : reduction === "sum" ? reduceSum(values) : reduceMean(values);
  const m = mask.dtype === "bool" ? mask : cast(mask, "bool");
  const kept = where(m, values, 0);
  if (reduction === "none") return kept;
  const total = reduceSum(kept);
  return reduction === "sum" ? total : div(total, reduceSum(cast(m, values.dtype)));
}
