/** A dense row-major float32 tensor, the in-memory form of every weight the runner loads. */
export interface F32Tensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** Number of elements implied by a shape (1 for a scalar). */
export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Builds a tensor, checking that the data length matches the shape. */
export function f32Tensor(shape: readonly number[], data: Float32Array): F32Tensor {
  if (data.length !== elementCount(shape)) {
    throw new RangeError(
      `tensor data has ${data.length} elements but shape [${shape.join(", ")}] needs ${elementCount(shape)}`,
    );
  }
  return { shape: [...shape], data };
}
