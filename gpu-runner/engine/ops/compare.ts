import type { Operand, Tensor } from "../graph/graph.ts";
import { emitBinary, emitUnary } from "./elementwise.ts";
import type { OpDef } from "./op-def.ts";

// Comparisons and boolean logic produce bool tensors and carry no gradient.
export const equal = (a: Operand, b: Operand): Tensor => emitBinary("Equal", a, b, "bool");
export const less = (a: Operand, b: Operand): Tensor => emitBinary("Less", a, b, "bool");
export const lessOrEqual = (a: Operand, b: Operand): Tensor => emitBinary("LessOrEqual", a, b, "bool");
export const greater = (a: Operand, b: Operand): Tensor => emitBinary("Greater", a, b, "bool");
export const greaterOrEqual = (a: Operand, b: Operand): Tensor => emitBinary("GreaterOrEqual", a, b, "bool");
export const and = (a: Tensor, b: Tensor): Tensor => emitBinary("And", a, b, "bool");
export const or = (a: Tensor, b: Tensor): Tensor => emitBinary("Or", a, b, "bool");
export const not = (x: Tensor): Tensor => emitUnary("Not", x, "bool");

export const compareOps: readonly OpDef[] = [
  "Equal",
  "Less",
  "LessOrEqual",
  "Greater",
  "GreaterOrEqual",
  "And",
  "Or",
  "Not",
].map((opType) => ({ opType }));
