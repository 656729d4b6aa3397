/**
 * The worker-thread half of the onnxruntime adapter (ort-runtime.ts): one ORT session per worker, created and
 * run on request. onnxruntime-node runs a session synchronously on its calling thread, so a session here computes
 * in parallel with the sessions of other workers and leaves the main thread's event loop free.
 * Messages are handled one at a time, in order. Tensors travel as { type, dims, data }: feeds are copied (the
 * caller keeps its buffers), outputs are moved (their buffers belong to no one here).
 */
import { parentPort } from "node:worker_threads";
import * as ort from "onnxruntime-node";

let session;
let queue = Promise.resolve();

async function handle(message) {
  switch (message.op) {
    case "create":
      session = await ort.InferenceSession.create(message.model, message.options);
      return { inputNames: session.inputNames, outputNames: session.outputNames };
    case "run": {
      const feeds = {};
      for (const [name, t] of Object.entries(message.feeds)) feeds[name] = new ort.Tensor(t.type, t.data, t.dims);
      const result = message.fetch ? await session.run(feeds, message.fetch) : await session.run(feeds);
      const out = {};
      for (const [name, t] of Object.entries(result)) out[name] = { type: t.type, dims: [...t.dims], data: t.data };
      return out;
    }
    case "release":
      await session?.release();
      session = undefined;
      return null;
    default:
      throw new Error(`unknown request '${message.op}'`);
  }
}

parentPort.on("message", (message) => {
  queue = queue.then(async () => {
    try {
      const value = await handle(message);
      const outputs = message.op === "run" ? Object.values(value).map((t) => t.data.buffer) : [];
      parentPort.postMessage({ id: message.id, ok: true, value }, [...new Set(outputs)]);
    } catch (error) {
      parentPort.postMessage({ id: message.id, ok: false, message: error?.message ?? String(error) });
    }
  });
});
