/** The matrix through the real job-creation endpoint: every cell's request is accepted and stored as sent. */
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { datasets } from "../../../core/db/schema.ts";
import { createTestApp, type TestApp } from "../../../test/helpers/test-app.ts";
import { insertDataset } from "../../../test/jobs/job-fixtures.ts";
import { cellsFor, jobRequest, tasksFor } from "./matrix.ts";
import { TASK_EXAMPLES } from "./upload-datasets.ts";

let t: TestApp;
let dataset: string;

beforeAll(async () => {
  t = await createTestApp();
  dataset = await insertDataset(t.database.db, t.tenantId);
  await t.database.db.update(datasets).set({ nExamples: TASK_EXAMPLES }).where(eq(datasets.id, dataset));
});
afterAll(async () => t?.close());

describe("POST /v1/jobs with the paper table's matrix", () => {
  it("accepts every cell (one seed, every task) and stores its safeguards and seed", async () => {
    for (const cell of cellsFor(tasksFor({ quick: false, allDomains: true }), 1)) {
      const body = jobRequest(cell, dataset, { quick: false });
      const res = await t.request("/v1/jobs", { method: "POST", json: body });
      if (res.status !== 201) throw new Error(`${cell.task.id}/${cell.method}: ${res.status} ${await res.text()}`);
      const job = (await res.json()) as { safeguards: { type: string }[]; seed: number; model: string };
      expect(job.model).toBe("guardtune/organism");
      expect(job.seed).toBe(1);
      expect(job.safeguards[0].type).toBe(body.safeguards![0].type);
    }
  });
});
