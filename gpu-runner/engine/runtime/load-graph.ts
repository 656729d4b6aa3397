/**
 * Graph → onnxruntime session, the one way the engine's users load a graph: lowers it for the session's
 * execution provider, and keeps weights marked `external` out of the protobuf (which caps a model at 2 GB)
 * by writing the model and its `.data` file to a temporary directory that `release` removes.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Graph } from "../graph/graph.ts";
import { encodeModel } from "../onnx/encode-model.ts";
import { lowerForCpu } from "../onnx/lower-for-cpu.ts";
import { lowerForWebGpu } from "../onnx/lower-for-webgpu.ts";
import { saveModel } from "../onnx/save-model.ts";
import { EngineSession, type ExecutionProvider, type SessionConfig } from "./ort-runtime.ts";

/**
 * Above this many weight bytes, weights are kept as external data: protobuf refuses messages over 2 GB, and
 * the rest of the graph (constants, attributes) needs headroom below that (float32 checkpoints of about 0.4B
 * parameters and up).
 */
export const EXTERNAL_DATA_BYTES = 1.5e9;

/** Whether weights of this size need external data; `force` (a caller's explicit choice) wins. */
export function needsExternalData(
  weights: Iterable<{ readonly data: { readonly byteLength: number } }>,
  force?: boolean,
): boolean {
  if (force !== undefined) return force;
  let bytes = 0;
  for (const w of weights) bytes += w.data.byteLength;
  return bytes >= EXTERNAL_DATA_BYTES;
}

export interface SerialisedGraph {
  /** Model bytes, or the path of the `.onnx` file when weights are external. */
  readonly model: Uint8Array | string;
  /** Removes the temporary directory (no-op for in-memory models). */
  cleanup(): Promise<void>;
}

/** `g` as ORT takes it for `ep`: bytes in memory, or a temporary model file with external data. */
export async function serialiseGraph(g: Graph, ep: ExecutionProvider = "cpu"): Promise<SerialisedGraph> {
  const options = { nodes: ep === "webgpu" ? lowerForWebGpu(g) : lowerForCpu(g) };
  if (!g.initializers.some((i) => i.external))
    return { model: encodeModel(g, options), cleanup: () => Promise.resolve() };
  const dir = await mkdtemp(join(tmpdir(), "guardtune-graph-"));
  try {
    const path = join(dir, `${g.name.replace(/[^\w.-]/g, "_")}.onnx`);
    saveModel(g, path, options);
    return { model: path, cleanup: () => rm(dir, { recursive: true, force: true }) };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

export interface LoadedGraph {
  readonly session: EngineSession;
  /** Releases the session and removes its temporary files. */
  release(): Promise<void>;
}

export async function loadGraph(g: Graph, config: SessionConfig = {}): Promise<LoadedGraph> {
  const serialised = await serialiseGraph(g, config.ep);
  try {
    const session = await EngineSession.create(serialised.model, config);
    return {
      session,
      release: async () => {
        await session.release();
        await serialised.cleanup();
      },
    };
  } catch (error) {
    await serialised.cleanup();
    throw error;
  }
}
