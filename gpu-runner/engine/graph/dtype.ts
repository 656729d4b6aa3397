/** Element types the engine emits, with their ONNX TensorProto.DataType codes. */
export type DType = "float32" | "float64" | "float16" | "int64" | "int32" | "int8" | "uint8" | "bool";

export const ONNX_DTYPE_CODE: Readonly<Record<DType, number>> = {
  float32: 1,
  uint8: 2,
  int8: 3,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
  float64: 11,
};

export function dtypeFromOnnxCode(code: number): DType {
  for (const [name, c] of Object.entries(ONNX_DTYPE_CODE)) if (c === code) return name as DType;
  throw new Error(`Unsupported ONNX data type code ${code}`);
}

export function isFloatDType(d: DType): boolean {
  return d === "float32" || d === "float64" || d === "float16";
}

export function isIntDType(d: DType): boolean {
  return d === "int64" || d === "int32" || d === "int8" || d === "uint8";
}

/** Bytes per element in raw (little-endian) storage. */
export function dtypeByteSize(d: DType): number {
  switch (d) {
    case "float64":
    case "int64":
      return 8;
    case "float32":
    case "int32":
      return 4;
    case "float16":
      return 2;
    default:
      return 1;
  }
}
