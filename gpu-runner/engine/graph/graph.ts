import { attr, type Attrs } from "./attrs.ts";
import type { DType } from "./dtype.ts";
import { f32, f64, filled, i64, type HostTensor } from "./host-tensor.ts";
import { formatShape, type Dim, type Shape } from "./shape.ts";

export type TensorKind = "input" | "initializer" | "node";

/** A symbolic tensor: a value of the graph with a dtype and a (possibly symbolic) shape. */
export class Tensor {
  /** Known contents of small int64 vectors (shape tensors, constant axes), symbolic dims allowed. */
  value: readonly Dim[] | undefined;

  constructor(
    readonly graph: Graph,
    readonly id: number,
    private tensorName: string,
    readonly dtype: DType,
    readonly shape: Shape,
    readonly kind: TensorKind,
    readonly producer: Node | undefined,
  ) {}

  get name(): string {
    return this.tensorName;
  }

  get rank(): number {
    return this.shape.length;
  }

  /** Renames a node output (used to give graph outputs readable names). */
  rename(name: string): void {
    this.graph.claimName(name);
    this.tensorName = name;
  }

  toString(): string {
    return `${this.tensorName}: ${this.dtype}${formatShape(this.shape)}`;
  }
}

export interface Node {
  readonly id: number;
  readonly opType: string;
  readonly domain: string;
  readonly name: string;
  /** `undefined` stands for an omitted optional ONNX input. */
  readonly inputs: readonly (Tensor | undefined)[];
  readonly outputs: readonly Tensor[];
  readonly attrs: Attrs;
  /** Autodiff treats this node as a constant (see `stopGradient`). */
  readonly stopGradient: boolean;
}

export interface Initializer {
  readonly tensor: Tensor;
  readonly data: HostTensor;
  /** Stored outside the protobuf when the model is saved to a directory. */
  readonly external: boolean;
}

export interface OutputSpec {
  readonly dtype: DType;
  readonly shape: Shape;
}

export interface NodeOptions {
  readonly domain?: string;
  readonly stopGradient?: boolean;
}

export type Operand = Tensor | number;

/** A computation graph under construction; serialised to ONNX by `encodeModel`. */
export class Graph {
  readonly inputs: Tensor[] = [];
  readonly initializers: Initializer[] = [];
  readonly nodes: Node[] = [];
  readonly outputs: Tensor[] = [];
  private readonly names = new Set<string>();
  private readonly scalarCache = new Map<string, Tensor>();
  private readonly scopes: string[] = [];
  private nextId = 0;

  constructor(readonly name = "graph") {}

  claimName(name: string): void {
    if (this.names.has(name)) throw new Error(`Graph '${this.name}': the name '${name}' is already used`);
    this.names.add(name);
  }

  private freshName(base: string): string {
    const prefix = this.scopes.length > 0 ? `${this.scopes.join("/")}/` : "";
    let name = `${prefix}${base}_${this.nextId}`;
    while (this.names.has(name)) name = `${name}_`;
    this.names.add(name);
    return name;
  }

  /** A new symbolic dim name, for sizes only known at run time. */
  freshDim(hint = "d"): string {
    return `${hint}${this.nextId++}`;
  }

  /** Runs `build` with node names prefixed by `scope` (shows up in errors and ORT logs). */
  scope<T>(scope: string, build: () => T): T {
    this.scopes.push(scope);
    try {
      return build();
    } finally {
      this.scopes.pop();
    }
  }

  input(name: string, dtype: DType, shape: Shape): Tensor {
    this.claimName(name);
    const t = new Tensor(this, this.nextId++, name, dtype, [...shape], "input", undefined);
    this.inputs.push(t);
    return t;
  }

  /** A weight baked into the model (ORT may prepack it); `external` keeps it out of the protobuf on save. */
  initializer(name: string, data: HostTensor, options: { external?: boolean } = {}): Tensor {
    this.claimName(name);
    const t = new Tensor(this, this.nextId++, name, data.dtype, [...data.dims], "initializer", undefined);
    this.initializers.push({ tensor: t, data, external: options.external ?? false });
    return t;
  }

  /** Marks `t` as a graph output, renaming it to `name` when given (an Identity is added if it cannot be renamed). */
  output(t: Tensor, name?: string): Tensor {
    this.own(t, "output");
    let out = t;
    if (name !== undefined && name !== t.name) {
      if (t.kind === "node" && !this.outputs.includes(t)) out.rename(name);
      else {
        out = this.addNode("Identity", [t], {}, [{ dtype: t.dtype, shape: t.shape }])[0];
        out.rename(name);
      }
    }
    if (!this.outputs.includes(out)) this.outputs.push(out);
    return out;
  }

  /** Appends a node; callers (the op files) are responsible for output dtype/shape inference. */
  addNode(
    opType: string,
    inputs: readonly (Tensor | undefined)[],
    attrs: Attrs,
    outputs: readonly OutputSpec[],
    options: NodeOptions = {},
  ): Tensor[] {
    for (const t of inputs) if (t !== undefined) this.own(t, opType);
    const id = this.nextId++;
    const name = this.freshName(opType);
    const outTensors: Tensor[] = [];
    const node: Node = {
      id,
      opType,
      domain: options.domain ?? "",
      name,
      inputs: [...inputs],
      outputs: outTensors,
      attrs,
      stopGradient: options.stopGradient ?? false,
    };
    for (const spec of outputs) {
      outTensors.push(new Tensor(this, this.nextId++, this.freshName("t"), spec.dtype, [...spec.shape], "node", node));
    }
    this.nodes.push(node);
    return outTensors;
  }

  /** A Constant node holding `data`; 1-D int64 constants remember their values for shape inference. */
  constant(data: HostTensor): Tensor {
    const [t] = this.addNode("Constant", [], { value: attr.tensor(data) }, [{ dtype: data.dtype, shape: data.dims }]);
    if (data.dtype === "int64" && data.dims.length <= 1) t.value = Array.from(data.data as BigInt64Array, Number);
    return t;
  }

  /** A cached scalar constant of the given dtype. */
  scalar(value: number, dtype: DType): Tensor {
    const key = `${dtype}:${Object.is(value, -0) ? "-0" : value}`;
    let t = this.scalarCache.get(key);
    if (t === undefined) {
      t = this.constant(filled(dtype, [], value));
      this.scalarCache.set(key, t);
    }
    return t;
  }

  /** A 1-D int64 constant (axes, shapes, starts/ends). */
  ints(values: readonly number[]): Tensor {
    return this.constant(i64([values.length], values));
  }

  floats(dims: readonly number[], values: readonly number[], dtype: "float32" | "float64" = "float32"): Tensor {
    return this.constant(dtype === "float32" ? f32(dims, values) : f64(dims, values));
  }

  private own(t: Tensor, what: string): void {
    if (t.graph !== this)
      throw new Error(`${what}: tensor ${t} belongs to graph '${t.graph.name}', not '${this.name}'`);
  }
}

/** The graph of the first tensor operand; throws when an op receives only numbers. */
export function graphOf(operands: readonly (Operand | undefined)[], what: string): Graph {
  for (const o of operands) if (o instanceof Tensor) return o.graph;
  throw new Error(`${what}: at least one operand must be a tensor`);
}

/** Turns numbers into scalar constants of `dtype`. */
export function toTensor(g: Graph, o: Operand, dtype: DType): Tensor {
  return o instanceof Tensor ? o : g.scalar(o, dtype);
}
