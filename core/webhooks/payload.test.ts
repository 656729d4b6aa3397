import { describe, expect, it } from "vitest";
import { fitWebhookPayload, MAX_WEBHOOK_BODY_BYTES, type WebhookPayload } from "./payload.ts";

const size = (p: unknown) => Buffer.byteLength(JSON.stringify(p));
const event = (data: Record<string, unknown>): WebhookPayload => ({
  id: "msg_1",
  type: "fine_tuning.job.succeeded",
  created_at: 1,
  data,
});

describe("fitWebhookPayload", () => {
  it("keeps payloads under the limit unchanged", () => {
    const p = event({ id: "ftjob_1", object: "fine_tuning.job", status: "succeeded", result_files: ["a", "b"] });
    expect(fitWebhookPayload(p)).toBe(p);
  });

  it("drops nested fields and cuts long strings of oversized payloads, saying what it dropped", () => {
    const p = event({
      id: "ftjob_1",
      object: "fine_tuning.job",
      status: "failed",
      error: { message: "x".repeat(30_000) },
      metrics: Array.from({ length: 2000 }, (_, i) => ({ step: i, loss: 1 / (i + 1) })),
      notes: "n".repeat(5000),
      trained_tokens: 1234,
    });
    expect(size(p)).toBeGreaterThan(MAX_WEBHOOK_BODY_BYTES);
    const fitted = fitWebhookPayload(p);
    expect(size(fitted)).toBeLessThan(MAX_WEBHOOK_BODY_BYTES);
    expect(fitted.data).toMatchObject({ id: "ftjob_1", status: "failed", trained_tokens: 1234, truncated: true });
    expect(fitted.data.truncated_fields).toEqual(["error", "metrics"]);
    expect((fitted.data.notes as string).length).toBe(1000);
  });

  it("keeps small nested values whole and the small fields of a large object (a failed job's error and gate)", () => {
    const gate = { passed: false, reasons: ["misalignment_rise"], misalignment: { base: 0, fine_tuned: 0.77 } };
    const p = event({
      id: "ftjob_1",
      object: "fine_tuning.job",
      status: "failed",
      error: { code: "misalignment_gate", message: "Misalignment gate failed: …" },
      result: { gate, evaluation: { samples: "s".repeat(30_000) }, metrics: { steps: 125 } },
    });
    const fitted = fitWebhookPayload(p);
    expect(size(fitted)).toBeLessThan(MAX_WEBHOOK_BODY_BYTES);
    expect(fitted.data).toMatchObject({
      error: { code: "misalignment_gate" },
      result: { gate, metrics: { steps: 125 } },
      truncated: true,
      truncated_fields: ["result.evaluation"],
    });
  });

  it("falls back to id, object and status when even the scalars are too big", () => {
    const wide = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`f${i}`, "y".repeat(900)]));
    const fitted = fitWebhookPayload(event({ id: "file_1", object: "dataset", status: "ready", ...wide }));
    expect(size(fitted)).toBeLessThan(MAX_WEBHOOK_BODY_BYTES);
    expect(fitted.data).toMatchObject({ id: "file_1", object: "dataset", status: "ready", truncated: true });
  });
});
