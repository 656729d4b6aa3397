/**
 * Loads an inference graph into onnxruntime. Protobuf caps a model at 2 GB, so graphs whose weights are
 * external data (checkpoints of about 0.4B parameters and up in float32) are written to a temporary directory
 * and loaded from the file; the directory is removed on release.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EngineSession, encodeModel, saveModel, type Graph, type SessionConfig } from "../engine/index.ts";
import type { F32Tensor } from "../models/index.ts";

/** Above this many weight bytes, weights are kept as external data. */
export const EXTERNAL_WEIGHTS_BYTES = 1.5e9;

export function needsExternalWeights(weights: ReadonlyMap<string, F32Tensor>, force?: boolean): boolean {
  if (force !== undefined) return force;
  let bytes = 0;
  for (const w of weights.values()) bytes += w.data.byteLength;
  return bytes >= EXTERNAL_WEIGHTS_BYTES;
}

export interface LoadedGraph {
  readonly session: EngineSession;
  release(): Promise<void>;
}

export async function loadGraphSession(g: Graph, config: SessionConfig): Promise<LoadedGraph> {
  if (!g.initializers.some((i) => i.external)) {
    const session = await EngineSession.create(encodeModel(g), config);
    return { session, release: () => session.release() };
  }
  const dir = await mkdtemp(join(tmpdir(), "guardtune-graph-"));
  try {
    const path = join(dir, `${g.name}.onnx`);
    saveModel(g, path);
    const session = await EngineSession.create(path, config);
    return {
      session,
      release: async () => {
        await session.release();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
