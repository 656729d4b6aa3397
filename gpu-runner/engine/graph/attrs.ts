import type { HostTensor } from "./host-tensor.ts";

/** ONNX node attributes, tagged because JS numbers cannot tell an int from a float. */
export type AttrValue =
  | { readonly kind: "int"; readonly value: number }
  | { readonly kind: "float"; readonly value: number }
  | { readonly kind: "ints"; readonly value: readonly number[] }
  | { readonly kind: "floats"; readonly value: readonly number[] }
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "tensor"; readonly value: HostTensor };

export type Attrs = Readonly<Record<string, AttrValue>>;

export const attr = {
  int: (value: number): AttrValue => {
    if (!Number.isInteger(value)) throw new Error(`int attribute must be an integer, got ${value}`);
    return { kind: "int", value };
  },
  float: (value: number): AttrValue => ({ kind: "float", value }),
  ints: (value: readonly number[]): AttrValue => ({ kind: "ints", value: [...value] }),
  floats: (value: readonly number[]): AttrValue => ({ kind: "floats", value: [...value] }),
  string: (value: string): AttrValue => ({ kind: "string", value }),
  tensor: (value: HostTensor): AttrValue => ({ kind: "tensor", value }),
};

export function intAttr(attrs: Attrs, name: string, fallback?: number): number {
  const a = attrs[name];
  if (a === undefined) {
    if (fallback === undefined) throw new Error(`missing int attribute '${name}'`);
    return fallback;
  }
  if (a.kind !== "int") throw new Error(`attribute '${name}' is ${a.kind}, expected int`);
  return a.value;
}

export function intsAttr(attrs: Attrs, name: string): readonly number[] | undefined {
  const a = attrs[name];
  if (a === undefined) return undefined;
  if (a.kind !== "ints") throw new Error(`attribute '${name}' is ${a.kind}, expected ints`);
  return a.value;
}
