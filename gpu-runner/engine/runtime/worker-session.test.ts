/** Sessions on worker threads: the same answers as on the calling thread, ORT's errors with their message. */
import { describe, expect, it } from "vitest";
import { buildMlp, xorData } from "../testing/tiny-models.ts";
import { ON_WEBGPU } from "../testing/test-ep.ts";
import { EngineSession } from "./ort-runtime.ts";

describe.skipIf(ON_WEBGPU)("an engine session on a worker thread", () => {
  const m = buildMlp(3);
  const feeds = { ...xorData(4, 8), ...m.params };

  it("answers as the calling thread's session does, and exposes the same input and output names", async () => {
    const here = await EngineSession.create(m.model, { intraOpThreads: 1 });
    const there = await EngineSession.create(m.model, { intraOpThreads: 1, worker: true });
    try {
      expect(there.inputNames).toEqual(here.inputNames);
      expect(there.outputNames).toEqual(here.outputNames);
      const a = await here.run(feeds);
      const b = await there.run(feeds);
      expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
      for (const name of Object.keys(a)) {
        expect(b[name].dtype).toBe(a[name].dtype);
        expect(b[name].dims).toEqual(a[name].dims);
        expect(Array.from(b[name].data as Float32Array)).toEqual(Array.from(a[name].data as Float32Array));
      }
      const [name] = here.outputNames;
      expect(Object.keys(await there.run(feeds, [name]))).toEqual([name]);
    } finally {
      await here.release();
      await there.release();
    }
  });

  it("rejects a bad run with ORT's message and keeps working; refuses runs once released", async () => {
    const s = await EngineSession.create(m.model, { intraOpThreads: 1, worker: true });
    const { x: _x, ...withoutX } = feeds;
    await expect(s.run(withoutX)).rejects.toThrow(/onnxruntime run failed: .*x/);
    expect(Object.keys(await s.run(feeds)).length).toBeGreaterThan(0);
    await s.release();
    await expect(s.run(feeds)).rejects.toThrow(/worker thread exited/);
  });

  it("refuses a model ORT cannot load, saying so", async () => {
    await expect(EngineSession.create(new Uint8Array([1, 2, 3]), { worker: true })).rejects.toThrow(
      /onnxruntime could not load the model \(ep cpu\)/,
    );
  });
});
