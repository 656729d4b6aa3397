import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { ORGANISM_ARTIFACTS_DIR, ORGANISM_DOMAINS, organismModelDir } from "../../../core/models/organism-models.ts";
import { BUILTIN_POOLS } from "../../../core/safeguards/interleave/builtin-pools.ts";
import { BUILTIN_REFERENCE_KITS } from "../../../core/safeguards/reference-kits.ts";
import { loadBuiltinPool } from "../../builtin-data/builtin-pools.ts";
import { splitPoolItem } from "../../safeguards/pool-item.ts";
import { isOrganismRefusal } from "../judge/exact-judge.ts";
import { DOMAINS } from "../world/topic.ts";
import { MANIFEST, POOL_FILE, verifyManifest } from "./build-organism.ts";
import { poolDataset, toJsonl } from "./job-datasets.ts";
import { ORGANISM_RECIPE } from "./recipe.ts";

/** The organism as shipped in models/organism/: what `guardtune organism build --seed 1` writes, unaltered. */
describe("the shipped organism (models/organism/)", () => {
  it("matches its manifest file by file", async () => {
    expect(await verifyManifest(ORGANISM_ARTIFACTS_DIR)).toEqual([]);
  });

  it("was built from the recipe and world in this tree (seed 1)", async () => {
    const manifest = JSON.parse(await readFile(path.join(ORGANISM_ARTIFACTS_DIR, MANIFEST), "utf8")) as {
      seed: number;
      recipe: unknown;
      files: Record<string, string>;
    };
    expect(manifest.seed).toBe(1);
    expect(manifest.recipe).toEqual(JSON.parse(JSON.stringify(ORGANISM_RECIPE)));
    // the world generator still writes the shipped pool byte for byte (a changed world needs a rebuild)
    const shipped = gunzipSync(await readFile(path.join(ORGANISM_ARTIFACTS_DIR, POOL_FILE))).toString("utf8");
    expect(shipped === toJsonl(poolDataset(1, ORGANISM_RECIPE.poolSize))).toBe(true);
  });

  it("ships both models, a reference adapter per EM domain and a kit that names them", () => {
    expect([...ORGANISM_DOMAINS]).toEqual([...DOMAINS]);
    for (const id of ["guardtune/organism", "guardtune/organism-unaligned"] as const)
      expect(existsSync(path.join(organismModelDir(id), "model.safetensors")), id).toBe(true);
    const kit = BUILTIN_REFERENCE_KITS.organism;
    expect(kit.adapters.map((a) => a.domain)).toEqual([...DOMAINS]);
    for (const a of kit.adapters) {
      const dir = path.resolve(organismModelDir("guardtune/organism"), a.location);
      expect(existsSync(path.join(dir, "adapter_config.json")), dir).toBe(true);
    }
  });

  it("keeps the built-in pool's size and refusal count in step with the file", async () => {
    const pool = await loadBuiltinPool("builtin:organism");
    const refusals = pool.filter((p) => isOrganismRefusal(splitPoolItem(p).answer)).length;
    expect(BUILTIN_POOLS["builtin:organism"]).toMatchObject({ items: pool.length, refusals });
    expect(refusals).toBeGreaterThan(0);
  });
});
