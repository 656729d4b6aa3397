import { afterAll, beforeAll, expect } from "vitest";
import { startUploadsConsumer, type UploadsConsumer } from "../../functions/datasets/uploads-consumer.ts";
import { createTestApp, type TestApp } from "../helpers/test-app.ts";
import {
  putPresigned,
  waitForSettled,
  type DatasetJson,
  type MultipartUploadJson,
  type PutUploadJson,
} from "./helpers.ts";

/** Uploads above this size are offered as multipart (small, so that a test can cross it). */
const MULTIPART_THRESHOLD = 2 * 1024 * 1024;

/** A test app with the uploads consumer running, and the calls every upload test makes. */
export interface UploadHarness {
  readonly t: TestApp;
  get(id: string, key?: string): () => Promise<DatasetJson>;
  create(
    body: Record<string, unknown>,
    key?: string,
  ): Promise<{ res: Response; json: { dataset: DatasetJson; upload: PutUploadJson | MultipartUploadJson } }>;
  /** Create → PUT → complete → wait; returns the settled dataset. */
  uploadPut(file: Uint8Array, declare?: { bytes?: number; sha256?: string; filename?: string }): Promise<DatasetJson>;
}

/** Starts the app before the file's tests and closes it after them. */
export function useUploadTestApp(): UploadHarness {
  let app: TestApp | undefined;
  let consumer: UploadsConsumer | undefined;
  beforeAll(async () => {
    app = await createTestApp({
      GUARDTUNE_MULTIPART_THRESHOLD_BYTES: String(MULTIPART_THRESHOLD),
      GUARDTUNE_MAX_UPLOAD_BYTES: String(32 * 1024 * 1024),
    });
    consumer = startUploadsConsumer(app.deps, { waitSeconds: 1 });
  });
  afterAll(async () => {
    await consumer?.close();
    await app?.close();
  });
  const h: UploadHarness = {
    get t() {
      if (app === undefined) throw new Error("the upload test app is not started yet");
      return app;
    },
    get: (id, key) => async () => (await (await h.t.request(`/v1/datasets/${id}`, { key })).json()) as DatasetJson,
    async create(body, key) {
      const res = await h.t.request("/v1/datasets", { method: "POST", json: { purpose: "fine-tune", ...body }, key });
      return { res, json: (await res.json()) as { dataset: DatasetJson; upload: PutUploadJson | MultipartUploadJson } };
    },
    async uploadPut(file, declare = {}) {
      const honest = declare.bytes === undefined || declare.bytes === file.length;
      const { res, json } = await h.create({
        filename: declare.filename ?? "train.jsonl",
        bytes: declare.bytes ?? file.length,
        sha256: declare.sha256,
      });
      expect(res.status).toBe(201);
      expect(json.upload.method).toBe("PUT");
      await putPresigned(json.upload as PutUploadJson, file, honest);
      const done = await h.t.request(`/v1/datasets/${json.dataset.id}/complete`, { method: "POST" });
      expect(done.status).toBe(202);
      return waitForSettled(h.get(json.dataset.id));
    },
  };
  return h;
}
