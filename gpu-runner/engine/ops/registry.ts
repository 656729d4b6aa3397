/** The op table: every primitive's definition by ONNX op type, and the builders gradient rules emit with. */
import type { Builders } from "./builders.ts";
import type { OpDef } from "./op-def.ts";
import { add, addOp } from "./add.ts";
import { cast, castOp } from "./cast.ts";
import { compareOps, equal } from "./compare.ts";
import { rotaryEmbeddingOp } from "./rotary-embedding.ts";
import { concat, concatOp } from "./concat.ts";
import { constant, constantOp } from "./constant.ts";
import { constantOfShape, constantOfShapeOp, zerosLike } from "./constant-of-shape.ts";
import { cos, cosOp } from "./cos.ts";
import { div, divOp } from "./div.ts";
import { erfOp } from "./erf.ts";
import { exp, expOp } from "./exp.ts";
import { expand, expandOp } from "./expand.ts";
import { gather, gatherOp } from "./gather.ts";
import { gatherElementsOp } from "./gather-elements.ts";
import { identityOp } from "./identity.ts";
import { log, logOp } from "./log.ts";
import { logSoftmaxOp } from "./log-softmax.ts";
import { softmaxCrossEntropyOp } from "./softmax-cross-entropy.ts";
import { matmul, matmulOp } from "./matmul.ts";
import { mul, mulOp } from "./mul.ts";
import { neg, negOp } from "./neg.ts";
import { pad, padOp } from "./pad.ts";
import { pow, powOp } from "./pow.ts";
import { rangeOp } from "./range.ts";
import { reciprocal, reciprocalOp } from "./reciprocal.ts";
import { reduceMaxOp } from "./reduce-max.ts";
import { reduceMean, reduceMeanOp } from "./reduce-mean.ts";
import { reduceSum, reduceSumOp } from "./reduce-sum.ts";
import { reshape, reshapeOp } from "./reshape.ts";
import { scatterElements, scatterElementsOp } from "./scatter-elements.ts";
import { scatterND, scatterNDOp } from "./scatter-nd.ts";
import { shape, shapeOf, shapeOp } from "./shape.ts";
import { sigmoid, sigmoidOp } from "./sigmoid.ts";
import { quickGeluOp } from "./quick-gelu.ts";
import { sin, sinOp } from "./sin.ts";
import { size, sizeOp } from "./size.ts";
import { slice, sliceOp } from "./slice.ts";
import { softmaxOp } from "./softmax.ts";
import { split, splitOp } from "./split.ts";
import { sqrt, sqrtOp } from "./sqrt.ts";
import { squeeze, squeezeOp } from "./squeeze.ts";
import { sub, subOp } from "./sub.ts";
import { sumToShape } from "./sum-to-shape.ts";
import { tanhOp } from "./tanh.ts";
import { transpose, transposeOp } from "./transpose.ts";
import { unsqueeze, unsqueezeOp } from "./unsqueeze.ts";
import { where, whereOp } from "./where.ts";

const defs: readonly OpDef[] = [
  addOp,
  subOp,
  mulOp,
  divOp,
  powOp,
  negOp,
  sqrtOp,
  reciprocalOp,
  expOp,
  logOp,
  tanhOp,
  sigmoidOp,
  erfOp,
  sinOp,
  cosOp,
  matmulOp,
  reduceSumOp,
  reduceMeanOp,
  reduceMaxOp,
  softmaxOp,
  logSoftmaxOp,
  softmaxCrossEntropyOp,
  gatherOp,
  gatherElementsOp,
  scatterNDOp,
  scatterElementsOp,
  reshapeOp,
  transposeOp,
  sliceOp,
  padOp,
  concatOp,
  splitOp,
  unsqueezeOp,
  squeezeOp,
  expandOp,
  whereOp,
  castOp,
  identityOp,
  constantOp,
  constantOfShapeOp,
  shapeOp,
  sizeOp,
  rangeOp,
  rotaryEmbeddingOp,
  quickGeluOp,
  ...compareOps,
];

const table = new Map(defs.map((d) => [`${d.domain ?? ""}:${d.opType}`, d]));
export const OP_TABLE: ReadonlyMap<string, OpDef> = table;

export function lookupOp(domain: string, opType: string): OpDef | undefined {
  return table.get(`${domain}:${opType}`);
}

/** Adds an op (e.g. an ORT contrib op with a gradient rule) to the table; op types are unique per domain. */
export function registerOp(def: OpDef): void {
  const key = `${def.domain ?? ""}:${def.opType}`;
  if (table.has(key)) throw new Error(`Op ${key} is already registered`);
  table.set(key, def);
}

export const builders: Builders = {
  add,
  sub,
  mul,
  div,
  pow,
  neg,
  sqrt,
  reciprocal,
  exp,
  log,
  sigmoid,
  sin,
  cos,
  matmul,
  reduceSum,
  reduceMean,
  reshape,
  transpose,
  slice,
  pad,
  concat,
  split,
  unsqueeze,
  squeeze,
  expand,
  where,
  cast,
  equal,
  gather,
  scatterND,
  scatterElements,
  shape,
  size,
  constantOfShape,
  constant,
  shapeOf,
  zerosLike,
  sumToShape,
};
