import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { datasets, jobs } from "../../core/db/schema.ts";
import { createTestApp, type TestApp } from "../../test/helpers/test-app.ts";
import { insertDataset } from "../../test/jobs/job-fixtures.ts";

/** Job creation checks of the `interleave` defense: built-in reference kits and the pool-size rule. */
let t: TestApp;
let training: string;

const withExamples = async (id: string, n: number) => {
  await t.database.db.update(datasets).set({ nExamples: n }).where(eq(datasets.id, id));
  return id;
};

beforeAll(async () => {
  t = await createTestApp();
  training = await withExamples(await insertDataset(t.database.db, t.tenantId), 1000);
});
afterAll(async () => t?.close());

interface Problem {
  code: string;
  param: string | null;
  detail: string;
}

const createJob = (safeguards: unknown[], trainingDataset = training, model = "guardtune/tiny-random") =>
  t.request("/v1/jobs", {
    method: "POST",
    json: { model, training_dataset: trainingDataset, safeguards },
  });

describe("POST /v1/jobs with interleave", () => {
  it("refuses a built-in reference kit that does not exist, naming the field and the alternatives", async () => {
    const res = await createJob([
      { type: "kl" },
      { type: "interleave", selection: "perplexity_gap", misaligned_references: "builtin:nonesuch" },
    ]);
    expect(res.status).toBe(422);
    const p = (await res.json()) as Problem;
    expect(p.code).toBe("reference_kit_not_found");
    expect(p.param).toBe("safeguards.1.misaligned_references");
    expect(p.detail).toContain("builtin:organism");
    expect(p.detail).toContain('"forgetting_gap"');
  });

  it("takes the organism's built-in pool and kit on organism models only", async () => {
    const organism = { type: "interleave", selection: "perplexity_gap_filtered", held_out_domain: "code" };
    const kit = await createJob([{ ...organism, misaligned_references: "builtin:organism" }]);
    expect(kit.status).toBe(422);
    expect(await kit.json()).toMatchObject({
      code: "reference_kit_wrong_model",
      param: "safeguards.0.misaligned_references",
    });
    const pool = await createJob([{ ...organism, pool: "builtin:organism" }]);
    expect(pool.status).toBe(422);
    const p = (await pool.json()) as Problem;
    expect(p).toMatchObject({ code: "pool_wrong_model", param: "safeguards.0.pool" });
    expect(p.detail).toContain("guardtune/organism");
    const ok = await createJob(
      [{ ...organism, pool: "builtin:organism", misaligned_references: "builtin:organism" }],
      training,
      "guardtune/organism",
    );
    expect(ok.status).toBe(201);
    // 5 % of 900 = 45 from 20,000 − refusals: far from the pool-use limits
    const job = (await ok.json()) as { model: string; safeguards: { pool: string }[] };
    expect(job).toMatchObject({ model: "guardtune/organism", safeguards: [{ pool: "builtin:organism" }] });
  });

  it("stores the default `kit`, and still reads the old name `auto`", async () => {
    for (const refs of [undefined, "auto", "forgetting_gap"]) {
      const res = await createJob([
        { type: "interleave", selection: "perplexity_gap", ...(refs ? { misaligned_references: refs } : {}) },
      ]);
      expect(res.status).toBe(201);
      const job = (await res.json()) as { safeguards: { misaligned_references: string }[] };
      expect(job.safeguards[0].misaligned_references).toBe(refs ?? "kit");
    }
  });

  it("refuses a perplexity-gap selection of the whole built-in pool, with the numbers and the fix", async () => {
    // 1000 examples, 100 held out for the in-domain evaluation: round(0.13 × 900) = 117 ≥ 115 usable (124 − 9 refusals)
    const before = (await t.database.db.select().from(jobs)).length;
    const res = await createJob([{ type: "interleave", ratio: 0.13, selection: "perplexity_gap_filtered" }]);
    expect(res.status).toBe(422);
    const p = (await res.json()) as Problem;
    expect(p.code).toBe("interleave_pool_too_small");
    expect(p.param).toBe("safeguards.0.pool");
    expect(p.detail).toContain("117 of 115 usable pool candidates (102 %)");
    expect(p.detail).toContain("at least 234 candidates");
    expect(p.detail).toContain("a ratio of at most 0.063");
    expect((await t.database.db.select().from(jobs)).length).toBe(before);
    // without the refusal filter all 124 are usable; random selection is not ranked, so not refused
    expect((await createJob([{ type: "interleave", ratio: 0.13, selection: "perplexity_gap" }])).status).toBe(201);
    expect((await createJob([{ type: "interleave", ratio: 0.5, selection: "random" }])).status).toBe(201);
  });

  it("measures an uploaded pool by its example count, capped by `candidates`", async () => {
    const pool = await withExamples(
      await insertDataset(t.database.db, t.tenantId, { purpose: "interleave-pool" }),
      200,
    );
    const small = await withExamples(await insertDataset(t.database.db, t.tenantId), 100); // 90 after the hold-out
    const ok = await createJob([{ type: "interleave", ratio: 1, selection: "perplexity_gap", pool }], small);
    expect(ok.status).toBe(201); // 90 of 200: the runner warns, creation accepts
    const capped = await createJob(
      [{ type: "interleave", ratio: 1, selection: "perplexity_gap", pool, candidates: 90 }],
      small,
    );
    expect(capped.status).toBe(422);
    expect(((await capped.json()) as Problem).detail).toContain("90 of 90 usable pool candidates");
  });
});
