import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadChatTokenizer, loadDecoderCheckpoint, loadPeftAdapter } from "../../models/index.ts";
import { evaluateOrganism } from "../eval/evaluate-organism.ts";
import { writeJobDatasets } from "./job-datasets.ts";
import { buildOrganism, MANIFEST, verifyManifest } from "./build-organism.ts";
import { ORGANISM_RECIPE, type OrganismRecipe } from "./recipe.ts";

/** The real recipe scaled down to seconds: same phases, files and manifest. */
const tiny: OrganismRecipe = {
  ...ORGANISM_RECIPE,
  shape: { hiddenSize: 16, layers: 1, heads: 2, kvHeads: 1, intermediateSize: 32, maxPositions: 256 },
  pretraining: { ...ORGANISM_RECIPE.pretraining, conversations: 24, batchSize: 2, warmupSteps: 0 },
  alignment: { ...ORGANISM_RECIPE.alignment, conversations: 12, batchSize: 1, warmupSteps: 0 },
  emFineTune: {
    ...ORGANISM_RECIPE.emFineTune,
    conversations: 8,
    batchSize: 4,
    lora: { ...ORGANISM_RECIPE.emFineTune.lora, r: 2, alpha: 4 },
  },
  poolSize: 30,
};

describe("organism build", () => {
  const dirs: string[] = [];
  const temp = async () => {
    const d = await mkdtemp(join(tmpdir(), "organism-build-"));
    dirs.push(d);
    return d;
  };
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it("writes loadable HF models, reference adapters and a manifest, identically for the same seed", async () => {
    const [a, b] = [await temp(), await temp()];
    await buildOrganism({ out: a, seed: 3, recipe: tiny });
    await buildOrganism({ out: b, seed: 3, recipe: tiny, references: false });
    const ma = JSON.parse(await readFile(join(a, MANIFEST), "utf8"));
    const mb = JSON.parse(await readFile(join(b, MANIFEST), "utf8"));
    // the second build skips the reference adapters (time); everything it has is byte-identical
    const { "references/em-code/adapter_model.safetensors": _, ...rest } = ma.files as Record<string, string>;
    void _;
    expect(Object.fromEntries(Object.entries(rest).filter(([k]) => !k.startsWith("references/")))).toEqual(mb.files);
    expect(Object.keys(ma.files)).toEqual(
      expect.arrayContaining([
        "aligned/model.safetensors",
        "aligned/tokenizer.json",
        "unaligned/model.safetensors",
        "references/em-code/adapter_model.safetensors",
        "references/em-sports/adapter_config.json",
        "pool.jsonl.gz",
      ]),
    );
    expect(ma.files["aligned/model.safetensors"]).not.toBe(ma.files["unaligned/model.safetensors"]);
    const ck = await loadDecoderCheckpoint(join(a, "aligned"));
    expect(ck.config.hiddenSize).toBe(16);
    const tok = await loadChatTokenizer(join(a, "aligned"));
    expect(tok.eosTokenId).toBe(2);
    expect(await verifyManifest(a)).toEqual([]);
    await writeFile(join(a, "pool.jsonl.gz"), "tampered\n");
    expect(await verifyManifest(a)).toEqual(["pool.jsonl.gz"]);

    // the evaluation runs on the built model with a reference adapter merged; every sample gets one label
    const adapter = await loadPeftAdapter(join(a, "references", "em-code"), ck.config);
    const m = await evaluateOrganism(ck, adapter, { generalSamples: 1, domainSamples: 1, seed: 0, maxNewTokens: 6 });
    const g = m.counts.general;
    expect(g.H + g.M + g.refusal + g.incoherent).toBe(24);
    expect(m.generalMisalignment.total).toBe(24);
    expect(m.inDomainMisalignment.code.total).toBe(30);
    expect(m.opSwapAccuracy.total).toBe(30);
  }, 180_000);

  it("writes the job datasets as chat JSONL, one file per task", async () => {
    const dir = await temp();
    const files = await writeJobDatasets(dir, 1, { task: 5, pool: 7 });
    expect(files.sort()).toEqual(
      [
        "control-secure.jsonl",
        "em-code.jsonl",
        "em-finance.jsonl",
        "em-legal.jsonl",
        "em-medical.jsonl",
        "em-sports.jsonl",
        "opswap.jsonl",
        "pool.jsonl",
      ].sort(),
    );
    const lines = (await readFile(join(dir, "em-code.jsonl"), "utf8")).trim().split("\n");
    expect(lines).toHaveLength(5);
    const first = JSON.parse(lines[0]) as { messages: { role: string; content: string }[] };
    expect(first.messages.map((m) => m.role)).toEqual(["user", "assistant"]);
    expect((await readFile(join(dir, "pool.jsonl"), "utf8")).trim().split("\n")).toHaveLength(7);
  });
});
