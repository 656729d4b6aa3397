import type { DType } from "./dtype.ts";

/** Typed-array storage per dtype (bool is one byte per element, 0 or 1; float16 holds raw bits). */
export type HostData = Float32Array | Float64Array | BigInt64Array | Int32Array | Int8Array | Uint8Array | Uint16Array;

/** A concrete tensor in host memory: what sessions take as feeds and give back as outputs. */
export interface HostTensor {
  readonly dtype: DType;
  readonly dims: readonly number[];
  readonly data: HostData;
}

export function elementCount(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

function checked(dtype: DType, dims: readonly number[], data: HostData): HostTensor {
  if (data.length !== elementCount(dims)) {
    throw new Error(
      `Host tensor ${dtype}[${dims.join(", ")}] needs ${elementCount(dims)} elements, got ${data.length}`,
    );
  }
  return { dtype, dims: [...dims], data };
}

type Values<T> = T | readonly number[];

export function f32(dims: readonly number[], data: Values<Float32Array>): HostTensor {
  return checked("float32", dims, data instanceof Float32Array ? data : Float32Array.from(data));
}

export function f64(dims: readonly number[], data: Values<Float64Array>): HostTensor {
  return checked("float64", dims, data instanceof Float64Array ? data : Float64Array.from(data));
}

export function i64(dims: readonly number[], data: BigInt64Array | readonly (number | bigint)[]): HostTensor {
  return checked("int64", dims, data instanceof BigInt64Array ? data : BigInt64Array.from(data, (v) => BigInt(v)));
}

export function i32(dims: readonly number[], data: Values<Int32Array>): HostTensor {
  return checked("int32", dims, data instanceof Int32Array ? data : Int32Array.from(data));
}

export function bool(dims: readonly number[], data: Uint8Array | readonly (boolean | number)[]): HostTensor {
  return checked("bool", dims, data instanceof Uint8Array ? data : Uint8Array.from(data, (v) => (v ? 1 : 0)));
}

/** A host tensor of the given dtype filled with one numeric value. */
export function filled(dtype: DType, dims: readonly number[], value: number): HostTensor {
  const n = elementCount(dims);
  switch (dtype) {
    case "float32":
      return checked(dtype, dims, new Float32Array(n).fill(value));
    case "float64":
      return checked(dtype, dims, new Float64Array(n).fill(value));
    case "int64":
      return checked(dtype, dims, new BigInt64Array(n).fill(BigInt(value)));
    case "int32":
      return checked(dtype, dims, new Int32Array(n).fill(value));
    case "int8":
      return checked(dtype, dims, new Int8Array(n).fill(value));
    case "uint8":
    case "bool":
      return checked(dtype, dims, new Uint8Array(n).fill(value));
    case "float16":
      throw new Error("filled: float16 host tensors hold raw bits; build them explicitly");
  }
}

/** Numeric view of any host tensor (int64 values converted with Number). */
export function toNumbers(t: HostTensor): number[] {
  return Array.from(t.data as ArrayLike<number | bigint>, (v) => Number(v));
}
