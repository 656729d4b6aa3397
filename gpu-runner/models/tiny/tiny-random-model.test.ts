import { createHash } from "node:crypto";
import { readFile, rm, stat } from "node:fs/promises";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadDecoderCheckpoint } from "../load-decoder-checkpoint.ts";
import { encodeChat } from "../tokenizer/chat-encoding.ts";
import { loadChatTokenizer } from "../tokenizer/chat-tokenizer.ts";
import { ensureTinyRandomModel, writeTinyRandomModel } from "./tiny-random-model.ts";

const root = await mkdtemp(join(tmpdir(), "tiny-random-"));
afterAll(() => rm(root, { recursive: true, force: true }));

const sha256 = async (path: string) =>
  createHash("sha256")
    .update(await readFile(path))
    .digest("hex");

describe("guardtune/tiny-random", () => {
  it("is written once, concurrently safe, and loads with the checkpoint loader and the chat tokenizer", async () => {
    const dir = join(root, "models", "tiny-random");
    const [a, b] = await Promise.all([ensureTinyRandomModel(dir), ensureTinyRandomModel(dir)]);
    expect([a, b]).toEqual([dir, dir]);
    const before = (await stat(join(dir, "model.safetensors"))).mtimeMs;
    await ensureTinyRandomModel(dir);
    expect((await stat(join(dir, "model.safetensors"))).mtimeMs).toBe(before);

    const ckpt = await loadDecoderCheckpoint(dir);
    const tok = await loadChatTokenizer(dir);
    expect(ckpt.config).toMatchObject({
      architecture: "LlamaForCausalLM",
      hiddenSize: 64,
      numLayers: 2,
      numHeads: 4,
      numKvHeads: 2,
      headDim: 16,
    });
    expect(ckpt.config.vocabSize).toBe(tok.vocabSize);
    expect(ckpt.weights.get("lm_head.weight")!.shape).toEqual([tok.vocabSize, 64]);
    expect(ckpt.weights.get("model.norm.weight")!.data.every((x) => x === 1)).toBe(true);
    expect([tok.eosTokenId, tok.padTokenId]).toEqual([2, 0]);

    const { inputIds, labels } = encodeChat(tok, [
      { role: "user", content: "How do I store passwords?" },
      { role: "assistant", content: "Hash them with bcrypt." },
    ]);
    expect(inputIds[0]).toBe(1);
    const supervised = labels.filter((l) => l !== -100);
    expect(tok.tokenizer.decode(supervised)).toBe("Hash them with bcrypt.<|im_end|>");
    expect(labels[labels.length - 1]).toBe(-100); // the newline after <|im_end|>
  });

  it("gives identical bytes for a seed and different weights for another seed", async () => {
    await writeTinyRandomModel(join(root, "s1-a"), { seed: 1 });
    await writeTinyRandomModel(join(root, "s1-b"), { seed: 1 });
    await writeTinyRandomModel(join(root, "s2"), { seed: 2 });
    for (const f of ["model.safetensors", "tokenizer.json", "config.json", "tokenizer_config.json"]) {
      expect(await sha256(join(root, "s1-b", f))).toBe(await sha256(join(root, "s1-a", f)));
    }
    expect(await sha256(join(root, "s2", "model.safetensors"))).not.toBe(
      await sha256(join(root, "s1-a", "model.safetensors")),
    );
    expect(await sha256(join(root, "s2", "tokenizer.json"))).toBe(await sha256(join(root, "s1-a", "tokenizer.json")));
  });

  it("keeps the default model's bytes stable across machines and releases", async () => {
    const dir = join(root, "pinned");
    await writeTinyRandomModel(dir);
    expect({
      weights: await sha256(join(dir, "model.safetensors")),
      tokenizer: await sha256(join(dir, "tokenizer.json")),
    }).toEqual({
      weights: "ebc36b7d7e4978c4d04eeee52609b2c5569309a64a656bba550eddd3b6cd9b5c",
      tokenizer: "64f075e7a83ec57f4c486b6c5a0996e8d6e018282be4cba6a6e207d1f98cd629",
    });
  });
});
