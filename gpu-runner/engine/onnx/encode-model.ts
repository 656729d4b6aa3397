import type { AttrValue } from "../graph/attrs.ts";
import { ONNX_DTYPE_CODE } from "../graph/dtype.ts";
import type { Graph, Node, Tensor } from "../graph/graph.ts";
import type { HostTensor } from "../graph/host-tensor.ts";
import { ProtoWriter } from "./proto-writer.ts";

/** IR version 10 (ONNX 1.16) is read by onnxruntime 1.30; opset 18 has axes-as-input reductions and Split num_outputs. */
export const IR_VERSION = 10;
export const DEFAULT_OPSET = 18;
export const MS_DOMAIN = "com.microsoft";

export interface EncodeOptions {
  readonly opset?: number;
  readonly producer?: string;
  /** Where external initializers live, relative to the model file: name → byte range in `location`. */
  readonly externalData?: ReadonlyMap<string, { location: string; offset: number; length: number }>;
  /** The nodes to write instead of `g.nodes` (an EP-specific lowering of them, e.g. `lowerForWebGpu`). */
  readonly nodes?: readonly Node[];
}

// AttributeProto.AttributeType
const ATTR_TYPE = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7 } as const;

export function rawBytes(t: HostTensor): Uint8Array {
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

function tensorProto(
  name: string,
  t: HostTensor,
  external?: { location: string; offset: number; length: number },
): ProtoWriter {
  const w = new ProtoWriter();
  for (const d of t.dims) w.int(1, d);
  w.int(2, ONNX_DTYPE_CODE[t.dtype]);
  if (name) w.string(8, name);
  if (external) {
    for (const [k, v] of [
      ["location", external.location],
      ["offset", String(external.offset)],
      ["length", String(external.length)],
    ]) {
      w.message(13, new ProtoWriter().string(1, k).string(2, v));
    }
    w.int(14, 1); // data_location = EXTERNAL
  } else {
    w.bytes(9, rawBytes(t));
  }
  return w;
}

function attributeProto(name: string, a: AttrValue): ProtoWriter {
  const w = new ProtoWriter().string(1, name);
  switch (a.kind) {
    case "float":
      w.float(2, a.value);
      break;
    case "int":
      w.int(3, a.value);
      break;
    case "string":
      w.string(4, a.value);
      break;
    case "tensor":
      w.message(5, tensorProto("", a.value));
      break;
    case "floats":
      w.packedFloats(7, a.value);
      break;
    case "ints":
      w.packedInts(8, a.value);
      break;
  }
  w.int(20, ATTR_TYPE[a.kind]);
  return w;
}

function nodeProto(n: Node): ProtoWriter {
  const w = new ProtoWriter();
  for (const t of n.inputs) w.string(1, t === undefined ? "" : t.name);
  for (const t of n.outputs) w.string(2, t.name);
  w.string(3, n.name).string(4, n.opType);
  for (const [k, a] of Object.entries(n.attrs)) w.message(5, attributeProto(k, a));
  if (n.domain) w.string(7, n.domain);
  return w;
}

function valueInfo(t: Tensor): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of t.shape) {
    const dim = new ProtoWriter();
    if (typeof d === "number") dim.int(1, d);
    else dim.string(2, d);
    shape.message(1, dim);
  }
  const tensorType = new ProtoWriter().int(1, ONNX_DTYPE_CODE[t.dtype]).message(2, shape);
  return new ProtoWriter().string(1, t.name).message(2, new ProtoWriter().message(1, tensorType));
}

/** Serialises `g` as an ONNX ModelProto. */
export function encodeModel(g: Graph, options: EncodeOptions = {}): Uint8Array {
  if (g.outputs.length === 0) throw new Error(`Graph '${g.name}' has no outputs`);
  const graph = new ProtoWriter();
  const nodes = options.nodes ?? g.nodes;
  for (const n of nodes) graph.message(1, nodeProto(n));
  graph.string(2, g.name);
  for (const init of g.initializers) {
    const ext = options.externalData?.get(init.tensor.name);
    graph.message(5, tensorProto(init.tensor.name, init.data, ext));
  }
  for (const t of g.inputs) graph.message(11, valueInfo(t));
  for (const t of g.outputs) graph.message(12, valueInfo(t));

  const model = new ProtoWriter()
    .int(1, IR_VERSION)
    .string(2, options.producer ?? "guardtune-engine")
    .string(3, "1");
  model.message(7, graph);
  model.message(8, new ProtoWriter().string(1, "").int(2, options.opset ?? DEFAULT_OPSET));
  if (nodes.some((n) => n.domain === MS_DOMAIN)) model.message(8, new ProtoWriter().string(1, MS_DOMAIN).int(2, 1));
  return model.finish();
}
