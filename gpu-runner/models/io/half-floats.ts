/**
 * Conversions between float32 and the 16-bit float formats found in checkpoints. F16 goes through a
 * 65536-entry table (built once, 256 KiB); BF16 is the top half of a float32, so widening is a shift.
 */

let f16Table: Float32Array | undefined;

/** float32 value of every F16 bit pattern, exact (subnormals, infinities and NaN included). */
function f16ToF32Table(): Float32Array {
  if (f16Table !== undefined) return f16Table;
  const bits = new Uint32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = (h & 0x8000) << 16;
    const exponent = (h >> 10) & 0x1f;
    let mantissa = h & 0x3ff;
    if (exponent === 0x1f) {
      bits[h] = sign | 0x7f800000 | (mantissa << 13); // inf / NaN keep their payload
    } else if (exponent !== 0) {
      bits[h] = sign | ((exponent + 112) << 23) | (mantissa << 13); // rebias 15 -> 127
    } else if (mantissa === 0) {
      bits[h] = sign; // signed zero
    } else {
      // subnormal: normalise the mantissa, lowering the exponent once per shift
      let e = 113;
      while ((mantissa & 0x400) === 0) {
        mantissa <<= 1;
        e--;
      }
      bits[h] = sign | (e << 23) | ((mantissa & 0x3ff) << 13);
    }
  }
  f16Table = new Float32Array(bits.buffer);
  return f16Table;
}

export function f16BitsToF32(src: Uint16Array): Float32Array {
  const table = f16ToF32Table();
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = table[src[i]];
  return out;
}

export function bf16BitsToF32(src: Uint16Array): Float32Array {
  const out = new Uint32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = src[i] << 16;
  return new Float32Array(out.buffer);
}

/** Rounds float32 to BF16 bit patterns, round-to-nearest-even like torch's `.to(torch.bfloat16)`. */
export function f32ToBf16Bits(src: Float32Array): Uint16Array {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  const out = new Uint16Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const u = bits[i];
    if ((u & 0x7fffffff) > 0x7f800000) {
      out[i] = (u >>> 16) | 0x0040; // quiet NaN, sign kept
    } else {
      out[i] = (u + 0x7fff + ((u >>> 16) & 1)) >>> 16;
    }
  }
  return out;
}
