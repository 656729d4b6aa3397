/**
 * Fails fast when the configured execution provider cannot run: a one-node graph is loaded and run on it, so a
 * runner without a WebGPU adapter stops at start with the fix, not at its first job.
 */
import { Graph } from "../graph/graph.ts";
import { f32 } from "../graph/host-tensor.ts";
import { add } from "../ops/add.ts";
import { encodeModel } from "../onnx/encode-model.ts";
import { EngineSession, type ExecutionProvider } from "./ort-runtime.ts";
import { WEBGPU_SETUP_HINT } from "./webgpu-adapter.ts";

export class ExecutionProviderUnavailableError extends Error {
  readonly code = "EXECUTION_PROVIDER_UNAVAILABLE";
}

export async function ensureExecutionProvider(ep: ExecutionProvider): Promise<void> {
  const g = new Graph("ep-check");
  const x = g.input("x", "float32", [2]);
  g.output(add(x, x), "y");
  let session: EngineSession | undefined;
  try {
    session = await EngineSession.create(encodeModel(g), { ep, intraOpThreads: 1 });
    const y = (await session.run({ x: f32([2], [1, 2]) })).y.data as Float32Array;
    if (y[0] !== 2 || y[1] !== 4)
      throw new Error(`a probe graph computed [${Array.from(y).join(", ")}], expected [2, 4]`);
  } catch (e) {
    const reason = ((e as Error).message.split("\n")[0] ?? "").replace(/^.*(Failed to get a WebGPU adapter)/, "$1");
    throw new ExecutionProviderUnavailableError(
      `execution provider '${ep}' is unavailable: ${reason}${ep === "webgpu" ? `. ${WEBGPU_SETUP_HINT}` : ""}`,
      { cause: e },
    );
  } finally {
    await session?.release();
  }
}
