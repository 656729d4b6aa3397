import { describe, expect, it } from "vitest";
import { Rng } from "../../engine/index.ts";
import { bf16BitsToF32, f16BitsToF32, f32ToBf16Bits } from "../io/half-floats.ts";
import { roundTo } from "./decoder-graph.ts";

describe("roundTo (rotary frequencies held in a half-precision dtype)", () => {
  it("bf16: equals the round-to-nearest-even bf16 conversion of the safetensors writer", () => {
    const rng = new Rng(1);
    const x = Float32Array.from({ length: 2000 }, () => Math.exp(rng.normal() * 6)); // positive, 1e-8 … 1e8
    expect(Array.from(roundTo(x, "bfloat16"))).toEqual(Array.from(bf16BitsToF32(f32ToBf16Bits(x))));
  });

  it("f16: lands on the nearest representable value (normal and subnormal), ties to even", () => {
    const all = f16BitsToF32(Uint16Array.from({ length: 0x7bff }, (_, i) => i + 1)); // every positive finite f16
    expect(Array.from(roundTo(all, "float16"))).toEqual(Array.from(all));
    const mid = (i: number) => (all[i] + all[i + 1]) / 2;
    // Midpoints between neighbours round to the one with an even mantissa; values just above go up.
    for (const i of [0, 1, 500, 1023, 1024, 20000, 30000]) {
      const even = (i + 1) % 2 === 0 ? all[i] : all[i + 1];
      expect(roundTo(Float32Array.of(mid(i)), "float16")[0]).toBe(even);
      expect(roundTo(Float32Array.of(Math.fround(mid(i) + (all[i + 1] - all[i]) / 8)), "float16")[0]).toBe(all[i + 1]);
    }
    expect(roundTo(Float32Array.of(0.5), "float32")[0]).toBe(0.5);
  });
});
