import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ModelFileError } from "../model-file-error.ts";
import { readCheckpointTensors, SHARD_INDEX, writeShardedCheckpoint } from "./checkpoint-files.ts";
import { f32Tensor, type F32Tensor } from "./f32-tensor.ts";
import { writeSafetensors } from "./safetensors-write.ts";

const root = await mkdtemp(join(tmpdir(), "checkpoint-files-"));
afterAll(() => rm(root, { recursive: true, force: true }));

const tensors = new Map<string, F32Tensor>(
  ["w0", "w1", "w2", "w3", "w4"].map((name, i) => [
    name,
    f32Tensor(
      [4, 4],
      new Float32Array(16).map((_, j) => i * 100 + j),
    ),
  ]),
);

describe("sharded checkpoints", () => {
  it("splits by byte budget, writes the index, and reads every tensor back", async () => {
    const dir = join(root, "sharded");
    const files = await writeShardedCheckpoint(dir, tensors, { maxShardBytes: 2 * 64 });
    expect(files).toEqual([
      "model-00001-of-00003.safetensors",
      "model-00002-of-00003.safetensors",
      "model-00003-of-00003.safetensors",
    ]);
    const index = JSON.parse(await readFile(join(dir, SHARD_INDEX), "utf8")) as {
      metadata: { total_size: number };
      weight_map: Record<string, string>;
    };
    expect(index.metadata.total_size).toBe(5 * 64);
    expect(index.weight_map.w4).toBe("model-00003-of-00003.safetensors");
    const back = await readCheckpointTensors(dir);
    expect(back.files).toEqual(files);
    for (const [name, t] of tensors) expect(back.tensors.get(name)!.data).toEqual(t.data);
  });

  it("fails when the index names a tensor its shard lacks", async () => {
    const dir = join(root, "lying-index");
    await writeShardedCheckpoint(dir, tensors, { maxShardBytes: 1 << 20 });
    const index = JSON.parse(await readFile(join(dir, SHARD_INDEX), "utf8")) as { weight_map: Record<string, string> };
    index.weight_map["ghost.weight"] = "model-00001-of-00001.safetensors";
    await writeFile(join(dir, SHARD_INDEX), JSON.stringify(index));
    await expect(readCheckpointTensors(dir)).rejects.toThrow(/ghost\.weight/);
  });

  it("refuses shard names that leave the directory", async () => {
    const dir = join(root, "escape");
    await writeShardedCheckpoint(dir, tensors, { maxShardBytes: 1 << 20 });
    await writeFile(join(dir, SHARD_INDEX), JSON.stringify({ weight_map: { w0: "../other.safetensors" } }));
    await expect(readCheckpointTensors(dir)).rejects.toBeInstanceOf(ModelFileError);
  });

  it("reads a single model.safetensors and reports a directory with neither", async () => {
    const dir = join(root, "single");
    await writeSafetensors(join(root, "unrelated.safetensors"), tensors);
    await expect(readCheckpointTensors(dir)).rejects.toThrow(/neither model\.safetensors/);
    await mkdir(dir);
    await writeSafetensors(join(dir, "model.safetensors"), tensors, { dtype: "BF16" });
    const back = await readCheckpointTensors(dir);
    expect(back.dtypes.get("w3")).toBe("BF16");
    expect(back.tensors.get("w2")!.data[5]).toBe(205); // 8 significant bits: exact in bf16
    expect(back.tensors.get("w3")!.data[5]).toBe(304); // 305 rounds to even
  });
});
