import { describe, expect, it } from "vitest";
import { bf16BitsToF32, f16BitsToF32, f32ToBf16Bits } from "./half-floats.ts";

/** Independent F16 decoding from the IEEE 754 definition, in double precision. */
function f16Reference(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0x1f) return m === 0 ? sign * Infinity : NaN;
  if (e === 0) return sign * 2 ** -14 * (m / 1024);
  return sign * 2 ** (e - 15) * (1 + m / 1024);
}

describe("F16 table", () => {
  it("decodes all 65536 bit patterns exactly", () => {
    const all = new Uint16Array(65536).map((_, i) => i);
    const out = f16BitsToF32(all);
    let mismatches = 0;
    for (let h = 0; h < 65536; h++) {
      const want = f16Reference(h);
      if (!(Object.is(out[h], want) || (Number.isNaN(want) && Number.isNaN(out[h])))) mismatches++;
    }
    expect(mismatches).toBe(0);
    expect(Object.is(out[0x8000], -0)).toBe(true);
    expect([out[0x3c00], out[0xc000], out[0x7bff], out[0x0001]]).toEqual([1, -2, 65504, 2 ** -24]);
  });
});

describe("BF16", () => {
  it("widens by shifting into the high half", () => {
    expect([...bf16BitsToF32(Uint16Array.of(0x3f80, 0xc040, 0x0000, 0x7f80))]).toEqual([1, -3, 0, Infinity]);
  });

  it("rounds float32 to nearest even, keeping NaN a NaN", () => {
    const bits = Uint32Array.of(0x3f808000, 0x3f818000, 0x3f808001, 0x3f807fff, 0x7f7fffff, 0x7fc00001, 0xff800000);
    const got = f32ToBf16Bits(new Float32Array(bits.buffer));
    expect([...got].map((b) => b.toString(16))).toEqual(["3f80", "3f82", "3f81", "3f80", "7f80", "7fc0", "ff80"]);
  });
});
