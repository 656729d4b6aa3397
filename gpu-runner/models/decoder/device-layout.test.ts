import { describe, expect, it } from "vitest";
import { tensorByteLimit } from "../../engine/index.ts";
import { ON_WEBGPU } from "../../engine/testing/test-ep.ts";
import { deviceBufferLayout } from "./device-layout.ts";

describe("device buffer layout", () => {
  it("is none on the CPU EP and rejects a token count that is not a positive integer", async () => {
    expect(await deviceBufferLayout("cpu", 4096)).toEqual({});
    expect(await deviceBufferLayout(undefined, 4096)).toEqual({});
    await expect(deviceBufferLayout("cpu", 0)).rejects.toThrow(/positive integer, got 0/);
  });

  it.runIf(ON_WEBGPU)("is the adapter's binding limit on WebGPU", async () => {
    const bytes = await tensorByteLimit("webgpu");
    expect(bytes).toBeGreaterThan(0);
    expect(await deviceBufferLayout("webgpu", 4096)).toEqual({ bufferLimit: { bytes, maxTokens: 4096 } });
  });
});
