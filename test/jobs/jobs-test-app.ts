import { afterAll, beforeAll } from "vitest";
import { createTestApp, type TestApp } from "../helpers/test-app.ts";
import { insertDataset } from "./job-fixtures.ts";

// the job route tests read problems and jobs in the API's own derived types
export type { Problem } from "../../functions/http/problem.ts";
export type { JobObject as JobBody } from "../../core/jobs/job-object.ts";

/** A test app with one ready training dataset of its tenant, and job creation on the tiny model with it. */
export interface JobsHarness {
  readonly t: TestApp;
  /** The id of the tenant's ready training dataset. */
  readonly ready: string;
  /** `POST /v1/jobs` with the tiny model and the ready dataset, `json` on top. */
  createJob(json: Record<string, unknown>, headers?: Record<string, string>): Promise<Response>;
}

/** Starts the app (with `env` on top of the test defaults) before the file's tests and closes it after them. */
export function useJobsTestApp(env: Record<string, string> = {}): JobsHarness {
  let app: TestApp | undefined;
  let dataset: string | undefined;
  beforeAll(async () => {
    app = await createTestApp(env);
    dataset = await insertDataset(app.database.db, app.tenantId);
  });
  afterAll(async () => app?.close());
  const started = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error("the jobs test app is not started yet");
    return v;
  };
  const h: JobsHarness = {
    get t() {
      return started(app);
    },
    get ready() {
      return started(dataset);
    },
    createJob: (json, headers = {}) =>
      h.t.request("/v1/jobs", {
        method: "POST",
        json: { model: "guardtune/tiny-random", training_dataset: h.ready, ...json },
        headers,
      }),
  };
  return h;
}
