/** Job creation refusals: each bad field is a 422 problem naming the field and its code, and nothing is stored. */
import { describe, expect, it } from "vitest";
import { jobs } from "../../core/db/schema.ts";
import { insertDataset, insertJob } from "../../test/jobs/job-fixtures.ts";
import { useJobsTestApp, type Problem } from "../../test/jobs/jobs-test-app.ts";

const h = useJobsTestApp({ GUARDTUNE_MODEL_SOURCES: "s3://guardtune/models/" });

describe("POST /v1/jobs refusals", () => {
  const invalid: Array<[string, () => Promise<Record<string, unknown>>, string, string]> = [
    ["an unknown model", async () => ({ model: "acme/unknown" }), "model", "model_not_found"],
    ["a relative file model", async () => ({ model: "file://relative/dir" }), "model", "model_not_found"],
    [
      "a missing dataset",
      async () => ({ training_dataset: "file_00000000000000000000000000" }),
      "training_dataset",
      "dataset_not_found",
    ],
    [
      "another tenant's dataset",
      async () => ({ training_dataset: await insertDataset(h.t.database.db, h.t.otherTenantId) }),
      "training_dataset",
      "dataset_not_found",
    ],
    [
      "a dataset still validating",
      async () => ({ training_dataset: await insertDataset(h.t.database.db, h.t.tenantId, { status: "validating" }) }),
      "training_dataset",
      "dataset_not_ready",
    ],
    [
      "an invalid dataset",
      async () => ({ training_dataset: await insertDataset(h.t.database.db, h.t.tenantId, { status: "invalid" }) }),
      "training_dataset",
      "dataset_not_ready",
    ],
    [
      "a dataset of the wrong purpose",
      async () => ({ training_dataset: await insertDataset(h.t.database.db, h.t.tenantId, { purpose: "eval" }) }),
      "training_dataset",
      "dataset_wrong_purpose",
    ],
    [
      "a bad validation dataset",
      async () => ({
        validation_dataset: await insertDataset(h.t.database.db, h.t.tenantId, { purpose: "interleave-pool" }),
      }),
      "validation_dataset",
      "dataset_wrong_purpose",
    ],
    [
      "a learning rate out of range",
      async () => ({ method: { hyperparameters: { learning_rate: 5 } } }),
      "method.hyperparameters.learning_rate",
      "invalid_request",
    ],
    [
      "n_epochs zero",
      async () => ({ method: { hyperparameters: { n_epochs: 0 } } }),
      "method.hyperparameters.n_epochs",
      "invalid_request",
    ],
    [
      "an unknown LoRA target",
      async () => ({ method: { hyperparameters: { lora: { target_modules: ["lm_head"] } } } }),
      "method.hyperparameters.lora.target_modules.0",
      "invalid_request",
    ],
    ["an unknown method type", async () => ({ method: { type: "dpo" } }), "method.type", "invalid_request"],
    [
      "a safeguard parameter out of range",
      async () => ({ safeguards: [{ type: "kl", lambda: -1 }] }),
      "safeguards.0.lambda",
      "invalid_request",
    ],
    ["an unknown safeguard", async () => ({ safeguards: [{ type: "magic" }] }), "safeguards.0.type", "invalid_request"],
    [
      "an interleave pool of another tenant",
      async () => ({
        safeguards: [
          {
            type: "interleave",
            pool: await insertDataset(h.t.database.db, h.t.otherTenantId, { purpose: "interleave-pool" }),
          },
        ],
      }),
      "safeguards.0.pool",
      "dataset_not_found",
    ],
    [
      "another tenant's adapter as misaligned reference",
      async () => ({
        safeguards: [
          {
            type: "interleave",
            misaligned_references: [
              (
                await insertJob(
                  h.t.database.db,
                  h.t.otherTenantId,
                  await insertDataset(h.t.database.db, h.t.otherTenantId),
                  "succeeded",
                )
              ).id,
            ],
          },
        ],
      }),
      "safeguards.0.misaligned_references.0",
      "adapter_not_found",
    ],
    [
      "an unfinished job as misaligned reference",
      async () => ({
        safeguards: [
          {
            type: "interleave",
            misaligned_references: [(await insertJob(h.t.database.db, h.t.tenantId, h.ready, "running")).id],
          },
        ],
      }),
      "safeguards.0.misaligned_references.0",
      "adapter_not_ready",
    ],
    [
      "an s3 model prefix without config.json",
      async () => ({ model: `s3://${h.t.aws.bucket}/models/missing/` }),
      "model",
      "model_not_found",
    ],
    [
      "an unknown SafeLoRA unaligned model",
      async () => ({ safeguards: [{ type: "safelora", unaligned_model: "acme/base" }] }),
      "safeguards.0.unaligned_model",
      "model_not_found",
    ],
    [
      "17 metadata pairs",
      async () => ({ metadata: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, "v"])) }),
      "metadata",
      "invalid_request",
    ],
    [
      "an unknown webhook endpoint",
      async () => ({ webhook: { endpoint_id: "we_nope" } }),
      "webhook.endpoint_id",
      "webhook_endpoint_not_found",
    ],
    ["an unknown top-level field", async () => ({ colour: "red" }), "", "invalid_request"],
  ];
  it.each(invalid)("refuses %s with a 422 naming the field, and queues nothing", async (_what, body, param, code) => {
    const json = await body();
    const before = (await h.t.database.db.select().from(jobs)).length;
    const res = await h.createJob(json);
    expect(res.status).toBe(422);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    const problem = (await res.json()) as Problem;
    expect(problem.code).toBe(code);
    expect(problem.param ?? "").toBe(param);
    expect((await h.t.database.db.select().from(jobs)).length).toBe(before);
  });
});
