/**
 * The engine's only contact with onnxruntime-node (with its worker-thread half, ort-worker.mjs): session
 * creation and runs with host tensors. ORT-node has no IO binding, so every run passes host buffers in and gets
 * host buffers back.
 */
import * as ort from "onnxruntime-node";
import type { DType } from "../graph/dtype.ts";
import type { HostData, HostTensor } from "../graph/host-tensor.ts";
import { WorkerSession, type WireTensor } from "./worker-session.ts";

export type ExecutionProvider = "cpu" | "webgpu";
export type GraphOptimizationLevel = "disabled" | "basic" | "extended" | "all";

export interface SessionConfig {
  readonly ep?: ExecutionProvider;
  /** Threads inside one op (ORT's intra-op pool); 0 lets ORT choose. */
  readonly intraOpThreads?: number;
  readonly interOpThreads?: number;
  readonly graphOptimizationLevel?: GraphOptimizationLevel;
  /** 0 verbose … 4 fatal; verbose logs show node placement per execution provider. */
  readonly logSeverity?: 0 | 1 | 2 | 3 | 4;
  /** Writes the graph as ORT optimised it (for inspection). */
  readonly optimizedModelPath?: string;
  readonly enableProfiling?: boolean;
  /** Profile file name prefix (in the working directory); default "onnxruntime-profile". */
  readonly profileFilePrefix?: string;
  /** Fixes symbolic dims ahead of time so ORT can plan memory for them. */
  readonly freeDimensionOverrides?: Readonly<Record<string, number>>;
  /**
   * Runs the session on a worker thread of its own (CPU EP; a WebGPU session stays on the calling thread).
   * onnxruntime-node computes synchronously on the thread that calls `run`, so sessions on one thread take
   * turns: on workers, the jobs of several runners in one process compute in parallel, and the event loop stays
   * free for leases, cancellation and requests while a step runs. Costs a copy of feeds and outputs per run.
   */
  readonly worker?: boolean;
}

const ORT_TYPE: Readonly<Record<DType, ort.Tensor.Type>> = {
  float32: "float32",
  float64: "float64",
  float16: "float16",
  int64: "int64",
  int32: "int32",
  int8: "int8",
  uint8: "uint8",
  bool: "bool",
};

function toOrt(name: string, t: HostTensor): ort.Tensor {
  try {
    return new ort.Tensor(ORT_TYPE[t.dtype], t.data as ort.Tensor.DataType, t.dims);
  } catch (e) {
    throw new Error(`feed '${name}' (${t.dtype}[${t.dims.join(", ")}]): ${(e as Error).message}`, { cause: e });
  }
}

function fromOrt(name: string, t: { readonly type: string; readonly dims: readonly number[]; readonly data: unknown }) {
  const dtype = (Object.keys(ORT_TYPE) as DType[]).find((k) => ORT_TYPE[k] === t.type);
  if (dtype === undefined) throw new Error(`output '${name}' has unsupported type ${t.type}`);
  return { dtype, dims: [...t.dims], data: t.data as HostData } satisfies HostTensor;
}

/** Where a session computes: on the calling thread, or on its own worker thread. */
interface SessionBackend {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /**
   * Runs with the fetched outputs (all when omitted); `into` holds preallocated outputs ORT may write into;
   * `consumed` names feeds the caller never reads again.
   */
  run(
    feeds: Readonly<Record<string, HostTensor>>,
    fetch: readonly string[] | undefined,
    into: Readonly<Record<string, HostTensor>> | undefined,
    consumed: readonly string[],
  ): Promise<Record<string, { readonly type: string; readonly dims: readonly number[]; readonly data: unknown }>>;
  release(): Promise<void>;
}

function inThread(session: ort.InferenceSession): SessionBackend {
  return {
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    async run(feeds, fetch, into) {
      const ortFeeds: Record<string, ort.Tensor> = {};
      for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = toOrt(name, t);
      if (into) {
        const fetches: Record<string, ort.Tensor | null> = {};
        for (const name of fetch ?? session.outputNames) fetches[name] = into[name] ? toOrt(name, into[name]) : null;
        return session.run(ortFeeds, fetches);
      }
      return fetch ? session.run(ortFeeds, fetch) : session.run(ortFeeds);
    },
    release: () => session.release(),
  };
}

function onWorker(session: WorkerSession): SessionBackend {
  return {
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    async run(feeds, fetch, into) {
      const wire: Record<string, WireTensor> = {};
      for (const [name, t] of Object.entries(feeds))
        wire[name] = { type: ORT_TYPE[t.dtype], dims: t.dims, data: t.data };
      const result = await session.run(wire, fetch);
      // the worker's outputs arrive as copies: the preallocated ones receive them here
      for (const [name, t] of Object.entries(result)) {
        const target = into?.[name];
        if (target !== undefined) (target.data as Float32Array).set(t.data as Float32Array);
      }
      return result;
    },
    release: () => session.release(),
  };
}

/** An ORT inference session over an engine-built model. */
export class EngineSession {
  private constructor(
    private readonly backend: SessionBackend,
    readonly config: SessionConfig,
  ) {}

  /** `model` is the serialised bytes or a path to a `.onnx` file (needed when weights are external data). */
  static async create(model: Uint8Array | string, config: SessionConfig = {}): Promise<EngineSession> {
    const ep = config.ep ?? "cpu";
    const options: ort.InferenceSession.SessionOptions = {
      executionProviders: [ep],
      graphOptimizationLevel: config.graphOptimizationLevel ?? "all",
      intraOpNumThreads: config.intraOpThreads ?? 0,
      interOpNumThreads: config.interOpThreads ?? 1,
      executionMode: "sequential",
      logSeverityLevel: config.logSeverity ?? 3,
      ...(config.optimizedModelPath ? { optimizedModelFilePath: config.optimizedModelPath } : {}),
      // onnxruntime-node refuses profiling without a file prefix
      ...(config.enableProfiling
        ? { enableProfiling: true, profileFilePrefix: config.profileFilePrefix ?? "onnxruntime-profile" }
        : {}),
      ...(config.freeDimensionOverrides ? { freeDimensionOverrides: config.freeDimensionOverrides } : {}),
    };
    try {
      if (config.worker && ep === "cpu")
        return new EngineSession(onWorker(await WorkerSession.create(model, options)), config);
      const session =
        typeof model === "string"
          ? await ort.InferenceSession.create(model, options)
          : await ort.InferenceSession.create(model, options);
      return new EngineSession(inThread(session), config);
    } catch (e) {
      throw new Error(`onnxruntime could not load the model (ep ${ep}): ${(e as Error).message}`, { cause: e });
    }
  }

  get inputNames(): readonly string[] {
    return this.backend.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.backend.outputNames;
  }

  /**
   * Runs the graph. `fetch` limits which outputs are computed (default: all); `into` gives preallocated
   * host tensors that ORT writes the named outputs into (they are returned as-is). `consumed` names feeds the
   * caller will not read again (e.g. a decoder's past key/value cache): a worker session moves their buffers
   * instead of copying them, which leaves them empty.
   */
  async run(
    feeds: Readonly<Record<string, HostTensor>>,
    fetch?: readonly string[],
    into?: Readonly<Record<string, HostTensor>>,
    consumed: readonly string[] = [],
  ): Promise<Record<string, HostTensor>> {
    let result: Awaited<ReturnType<SessionBackend["run"]>>;
    try {
      result = await this.backend.run(feeds, fetch, into, consumed);
    } catch (e) {
      throw new Error(`onnxruntime run failed: ${(e as Error).message}`, { cause: e });
    }
    const out: Record<string, HostTensor> = {};
    for (const [name, v] of Object.entries(result)) out[name] = into?.[name] ?? fromOrt(name, v);
    return out;
  }

  async release(): Promise<void> {
    await this.backend.release();
  }
}
