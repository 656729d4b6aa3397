import type { AttrValue } from "../graph/attrs.ts";
import { dtypeFromOnnxCode, type DType } from "../graph/dtype.ts";
import type { Dim } from "../graph/shape.ts";
import {
  getBytes,
  getInt,
  getMessages,
  getPackedInts,
  getString,
  getStrings,
  readFields,
  type Fields,
} from "./proto-reader.ts";

/** A plain view of an ONNX model, for checking what the encoder wrote and for inspecting exported models. */
export interface DecodedValueInfo {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: Dim[];
}

export interface DecodedTensor {
  readonly name: string;
  readonly dtype: DType;
  readonly dims: number[];
  readonly raw: Uint8Array | undefined;
  readonly external: Record<string, string> | undefined;
}

export interface DecodedNode {
  readonly name: string;
  readonly opType: string;
  readonly domain: string;
  readonly inputs: string[];
  readonly outputs: string[];
  readonly attrs: Record<string, AttrValue | { kind: "tensor"; value: DecodedTensor }>;
}

export interface DecodedModel {
  readonly irVersion: number;
  readonly opsets: { domain: string; version: number }[];
  readonly graphName: string;
  readonly nodes: DecodedNode[];
  readonly initializers: DecodedTensor[];
  readonly inputs: DecodedValueInfo[];
  readonly outputs: DecodedValueInfo[];
}

function tensor(f: Fields): DecodedTensor {
  const ext = getMessages(f, 13);
  return {
    name: getString(f, 8) ?? "",
    dtype: dtypeFromOnnxCode(Number(getInt(f, 2) ?? 0n)),
    dims: getPackedInts(f, 1),
    raw: getBytes(f, 9),
    external:
      ext.length > 0 ? Object.fromEntries(ext.map((e) => [getString(e, 1) ?? "", getString(e, 2) ?? ""])) : undefined,
  };
}

function attribute(f: Fields): [string, DecodedNode["attrs"][string]] {
  const name = getString(f, 1) ?? "";
  const type = Number(getInt(f, 20) ?? 0n);
  switch (type) {
    case 1:
      return [name, { kind: "float", value: new DataView(getBytes(f, 2)!.slice().buffer).getFloat32(0, true) }];
    case 2:
      return [name, { kind: "int", value: Number(BigInt.asIntN(64, getInt(f, 3) ?? 0n)) }];
    case 3:
      return [name, { kind: "string", value: getString(f, 4) ?? "" }];
    case 4:
      return [name, { kind: "tensor", value: tensor(getMessages(f, 5)[0]) }];
    case 6:
      return [name, { kind: "floats", value: Array.from(new Float32Array(getBytes(f, 7)!.slice().buffer)) }];
    case 7:
      return [name, { kind: "ints", value: getPackedInts(f, 8) }];
    default:
      throw new Error(`attribute '${name}': unsupported type ${type}`);
  }
}

function valueInfo(f: Fields): DecodedValueInfo {
  const tt = getMessages(getMessages(f, 2)[0], 1)[0];
  const dims = getMessages(getMessages(tt, 2)[0] ?? new Map(), 1).map(
    (d): Dim => getString(d, 2) ?? Number(getInt(d, 1) ?? 0n),
  );
  return { name: getString(f, 1) ?? "", dtype: dtypeFromOnnxCode(Number(getInt(tt, 1) ?? 0n)), shape: dims };
}

export function decodeModel(bytes: Uint8Array): DecodedModel {
  const m = readFields(bytes);
  const g = getMessages(m, 7)[0];
  if (!g) throw new Error("ModelProto has no graph");
  return {
    irVersion: Number(getInt(m, 1) ?? 0n),
    opsets: getMessages(m, 8).map((o) => ({ domain: getString(o, 1) ?? "", version: Number(getInt(o, 2) ?? 0n) })),
    graphName: getString(g, 2) ?? "",
    nodes: getMessages(g, 1).map((n) => ({
      name: getString(n, 3) ?? "",
      opType: getString(n, 4) ?? "",
      domain: getString(n, 7) ?? "",
      inputs: getStrings(n, 1),
      outputs: getStrings(n, 2),
      attrs: Object.fromEntries(getMessages(n, 5).map(attribute)),
    })),
    initializers: getMessages(g, 5).map(tensor),
    inputs: getMessages(g, 11).map(valueInfo),
    outputs: getMessages(g, 12).map(valueInfo),
  };
}
