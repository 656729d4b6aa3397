import { describe, expect, it } from "vitest";
import { benchCommand } from "./bench.ts";

describe("guardtune bench", () => {
  it("refuses unknown benches, presets and execution providers with usage (exit 2)", async () => {
    expect(await benchCommand(["frobnicate"])).toBe(2);
    expect(await benchCommand(["train", "--preset", "bench-huge"])).toBe(2);
    expect(await benchCommand(["score", "--ep", "tpu"])).toBe(2);
    expect(await benchCommand(["score", "--steps", "0"])).toBe(2);
  });
});
