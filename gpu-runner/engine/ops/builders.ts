import type { DType } from "../graph/dtype.ts";
import type { Graph, Operand, Tensor } from "../graph/graph.ts";
import type { HostTensor } from "../graph/host-tensor.ts";
import type { Dim } from "../graph/shape.ts";

export type Reduction = "none" | "add";

/** Sizes for Split: static numbers, or a runtime int64 vector with the dims it will take. */
export type SplitSizes = readonly number[] | { readonly tensor: Tensor; readonly dims: readonly Dim[] };

/**
 * The emission functions gradient rules may call. Declared here (not imported from the op files) so that
 * op files depend only on the graph core; `ops/registry.ts` supplies the implementation.
 */
export interface Builders {
  add(a: Operand, b: Operand): Tensor;
  sub(a: Operand, b: Operand): Tensor;
  mul(a: Operand, b: Operand): Tensor;
  div(a: Operand, b: Operand): Tensor;
  pow(a: Operand, b: Operand): Tensor;
  neg(x: Tensor): Tensor;
  sqrt(x: Tensor): Tensor;
  reciprocal(x: Tensor): Tensor;
  exp(x: Tensor): Tensor;
  log(x: Tensor): Tensor;
  sigmoid(x: Tensor): Tensor;
  sin(x: Tensor): Tensor;
  cos(x: Tensor): Tensor;
  matmul(a: Tensor, b: Tensor): Tensor;
  reduceSum(x: Tensor, axes?: readonly number[], keepdims?: boolean): Tensor;
  reduceMean(x: Tensor, axes?: readonly number[], keepdims?: boolean): Tensor;
  reshape(x: Tensor, shape: readonly number[] | Tensor): Tensor;
  transpose(x: Tensor, perm?: readonly number[]): Tensor;
  slice(
    x: Tensor,
    starts: readonly number[],
    ends: readonly number[],
    axes?: readonly number[],
    steps?: readonly number[],
  ): Tensor;
  pad(x: Tensor, pads: readonly number[], value?: number): Tensor;
  concat(xs: readonly Tensor[], axis: number): Tensor;
  split(x: Tensor, sizes: SplitSizes, axis: number): Tensor[];
  unsqueeze(x: Tensor, axes: readonly number[]): Tensor;
  squeeze(x: Tensor, axes: readonly number[]): Tensor;
  expand(x: Tensor, shape: readonly number[] | Tensor): Tensor;
  where(cond: Tensor, a: Operand, b: Operand): Tensor;
  cast(x: Tensor, to: DType): Tensor;
  equal(a: Operand, b: Operand): Tensor;
  gather(data: Tensor, indices: Tensor, axis?: number): Tensor;
  scatterND(data: Tensor, indices: Tensor, updates: Tensor, reduction?: Reduction): Tensor;
  scatterElements(data: Tensor, indices: Tensor, updates: Tensor, axis: number, reduction?: Reduction): Tensor;
  shape(x: Tensor): Tensor;
  size(x: Tensor): Tensor;
  constantOfShape(shape: Tensor, value: number, dtype: DType): Tensor;
  constant(g: Graph, data: HostTensor): Tensor;
  /** Shape of `x` as a constant when static, else a Shape node. */
  shapeOf(x: Tensor): Tensor;
  zerosLike(x: Tensor): Tensor;
  /** Sums a broadcast gradient back to the shape of `x`. */
  sumToShape(dy: Tensor, x: Tensor): Tensor;
}
