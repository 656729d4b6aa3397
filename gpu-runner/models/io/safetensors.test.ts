import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ModelFileError } from "../model-file-error.ts";
import { HAS_HF_ORACLE, HF_ORACLE_SKIP_REASON, oraclePath } from "../test-support/fixture-paths.ts";
import { f32Tensor } from "./f32-tensor.ts";
import { decodeSafetensors, readSafetensors, readSafetensorsHeader } from "./safetensors-read.ts";
import { encodeSafetensors, writeSafetensors } from "./safetensors-write.ts";

const dir = await mkdtemp(join(tmpdir(), "safetensors-"));
afterAll(() => rm(dir, { recursive: true, force: true }));

const sample = new Map([
  ["b.bias", f32Tensor([3], Float32Array.of(1.5, -2, 3.25))],
  ["a.weight", f32Tensor([2, 2], Float32Array.of(0.1, 0.2, 0.3, 0.4))],
  ["scalar", f32Tensor([], Float32Array.of(7))],
]);

/** A hand-built file: 8-byte length, JSON header, then raw bytes (for dtypes/offsets we never write). */
function handBuilt(header: object, data: Uint8Array): Uint8Array {
  const json = Buffer.from(JSON.stringify(header));
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([prefix, json, data]);
}

describe("safetensors F32 round trip", () => {
  it("writes in name order with an 8-aligned header and reads back identical values", async () => {
    const path = join(dir, "sample.safetensors");
    await writeSafetensors(path, sample);
    const header = await readSafetensorsHeader(path);
    expect([...header.entries.keys()]).toEqual(["a.weight", "b.bias", "scalar"]);
    expect(header.dataStart % 8).toBe(0);
    expect(header.metadata).toEqual({ format: "pt" });
    const back = await readSafetensors(path);
    for (const [name, t] of sample) {
      expect(back.tensors.get(name)!.shape).toEqual(t.shape);
      expect([...back.tensors.get(name)!.data]).toEqual([...t.data]);
    }
    expect(back.dtypes.get("a.weight")).toBe("F32");
  });

  it("returns aligned F32 tensors as views of one buffer, without copying", async () => {
    const back = await readSafetensors(join(dir, "sample.safetensors"));
    const buffers = new Set([...back.tensors.values()].map((t) => t.data.buffer));
    expect(buffers.size).toBe(1);
  });

  it("copies tensors whose bytes are not 4-aligned in memory", () => {
    const bytes = encodeSafetensors(sample);
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    const back = decodeSafetensors(shifted.subarray(1));
    expect([...back.tensors.get("b.bias")!.data]).toEqual([1.5, -2, 3.25]);
    expect(back.tensors.get("b.bias")!.data.byteOffset % 4).toBe(0);
  });

  it("writes BF16 rounded to nearest even", () => {
    const bytes = encodeSafetensors({ x: f32Tensor([2], Float32Array.of(1.00390625, 3)) }, { dtype: "BF16" });
    const back = decodeSafetensors(bytes);
    expect(back.dtypes.get("x")).toBe("BF16");
    expect([...back.tensors.get("x")!.data]).toEqual([1, 3]);
  });
});

describe("safetensors F16 and BF16 at odd offsets", () => {
  it("decodes 16-bit tensors starting at an odd byte", () => {
    const data = Uint8Array.of(0xaa, 0x00, 0x3c, 0x00, 0xc0, 0x80, 0x3f);
    const file = handBuilt(
      {
        pad: { dtype: "U8", shape: [1], data_offsets: [0, 1] },
        h: { dtype: "F16", shape: [2], data_offsets: [1, 5] },
        b: { dtype: "BF16", shape: [1], data_offsets: [5, 7] },
      },
      data,
    );
    expect(() => decodeSafetensors(file)).toThrow(/U8/);
    const withoutPad = handBuilt(
      { h: { dtype: "F16", shape: [2], data_offsets: [1, 5] }, b: { dtype: "BF16", shape: [1], data_offsets: [5, 7] } },
      data,
    );
    const back = decodeSafetensors(withoutPad);
    expect([...back.tensors.get("h")!.data]).toEqual([1, -2]);
    expect([...back.tensors.get("b")!.data]).toEqual([1]);
  });
});

describe("safetensors malformed files", () => {
  const cases: [string, Uint8Array][] = [
    ["truncated prefix", Uint8Array.of(1, 2, 3)],
    [
      "header longer than the file",
      (() => {
        const b = Buffer.alloc(16);
        b.writeBigUInt64LE(1000n);
        return b;
      })(),
    ],
    ["offsets past the data", handBuilt({ x: { dtype: "F32", shape: [2], data_offsets: [0, 8] } }, new Uint8Array(4))],
    [
      "size disagrees with shape",
      handBuilt({ x: { dtype: "F32", shape: [2], data_offsets: [0, 4] } }, new Uint8Array(8)),
    ],
    [
      "not JSON",
      (() => {
        const b = Buffer.alloc(12);
        b.writeBigUInt64LE(4n);
        b.write("{{{{", 8);
        return b;
      })(),
    ],
  ];
  it.each(cases)("rejects %s with a typed error", (_name, bytes) => {
    let error: unknown;
    try {
      decodeSafetensors(bytes);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ModelFileError);
    expect((error as ModelFileError).code).toBe("safetensors_format");
  });

  it("reports a truncated file on disk", async () => {
    const path = join(dir, "truncated.safetensors");
    const bytes = encodeSafetensors(sample);
    await writeFile(path, bytes.subarray(0, bytes.length - 4));
    await expect(readSafetensors(path)).rejects.toThrow(/outside the/);
  });
});

describe.skipIf(!HAS_HF_ORACLE)(
  `safetensors against files written by Python safetensors ${HAS_HF_ORACLE ? "" : HF_ORACLE_SKIP_REASON}`,
  () => {
    it("re-encodes the PEFT adapter byte for byte", async () => {
      const path = oraclePath("tiny-llama", "lora-init", "adapter_model.safetensors");
      const original = await readFile(path);
      const { tensors, metadata } = await readSafetensors(path);
      expect(Buffer.compare(encodeSafetensors(tensors, { metadata }), original)).toBe(0);
    });

    it("rounds the float32 checkpoint to exactly the bf16 checkpoint's bits", async () => {
      const f32 = await readSafetensors(oraclePath("tiny-llama", "model", "model.safetensors"));
      const bf16 = await readSafetensors(oraclePath("tiny-llama", "model-bf16", "model.safetensors"));
      expect([...bf16.dtypes.values()].every((d) => d === "BF16")).toBe(true);
      const rounded = decodeSafetensors(encodeSafetensors(f32.tensors, { dtype: "BF16" }));
      expect([...rounded.tensors.keys()].sort()).toEqual([...bf16.tensors.keys()].sort());
      for (const [name, t] of bf16.tensors) expect(rounded.tensors.get(name)!.data).toEqual(t.data);
    });
  },
);
