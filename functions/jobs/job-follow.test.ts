/** Following a job after creation: cancellation, events (paged and streamed), checkpoints, artifacts, isolation. */
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { artifacts, checkpoints, jobs } from "../../core/db/schema.ts";
import { ID_PREFIX, newId } from "../../core/ids.ts";
import { appendJobEvent } from "../../core/jobs/job-events.ts";
import { transitionJob } from "../../core/jobs/state-machine.ts";
import { readSse } from "../../test/jobs/read-sse.ts";
import { useJobsTestApp, type JobBody, type Problem } from "../../test/jobs/jobs-test-app.ts";

const h = useJobsTestApp();

describe("POST /v1/jobs/{id}/cancel", () => {
  it("cancels a queued job at once, and a running one through cancelling", async () => {
    const queued = ((await (await h.createJob({})).json()) as JobBody).id;
    const res = await h.t.request(`/v1/jobs/${queued}/cancel`, { method: "POST" });
    expect(res.status).toBe(200);
    expect(((await res.json()) as JobBody).status).toBe("cancelled");
    const again = await h.t.request(`/v1/jobs/${queued}/cancel`, { method: "POST" });
    expect(((await again.json()) as JobBody).status).toBe("cancelled");

    const running = ((await (await h.createJob({})).json()) as JobBody).id;
    await h.t.database.db.update(jobs).set({ status: "running", startedAt: new Date() }).where(eq(jobs.id, running));
    const r = (await (await h.t.request(`/v1/jobs/${running}/cancel`, { method: "POST" })).json()) as JobBody;
    expect(r.status).toBe("cancelling");
    expect(r.cancel_requested_at).toBeTypeOf("number");

    await h.t.database.db.update(jobs).set({ status: "succeeded" }).where(eq(jobs.id, running));
    const done = await h.t.request(`/v1/jobs/${running}/cancel`, { method: "POST" });
    expect(done.status).toBe(409);
    expect(((await done.json()) as Problem).code).toBe("job_not_cancellable");
  });
});

describe("GET /v1/jobs/{id}/events?stream=true", () => {
  it("streams past and live events in order and ends when the job ends; resumes from Last-Event-ID", async () => {
    const id = ((await (await h.createJob({})).json()) as JobBody).id;
    const res = await h.t.request(`/v1/jobs/${id}/events?stream=true`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    let moved = false;
    const frames = await readSse(res, async (f) => {
      // Once the backlog (created, queued) is out, the job runs and finishes while the client listens.
      if (!moved && f.data?.includes('"job.queued"')) {
        moved = true;
        await transitionJob(h.t.database.db, id, { from: "queued", to: "running", event: { type: "job.started" } });
        for (let step = 1; step <= 3; step++) {
          await appendJobEvent(h.t.database.db, id, { type: "metrics", step, data: { loss: 1 / step } });
        }
        await transitionJob(h.t.database.db, id, {
          from: "running",
          to: "succeeded",
          event: { type: "job.succeeded" },
        });
      }
    });
    const events = frames
      .filter((f) => f.event === "job.event")
      .map((f) => JSON.parse(f.data!) as { seq: number; type: string; id: string });
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(events.map((e) => e.type)).toEqual([
      "job.created",
      "job.queued",
      "job.started",
      "metrics",
      "metrics",
      "metrics",
      "job.succeeded",
    ]);
    expect(frames.filter((f) => f.event === "job.event").map((f) => f.id)).toEqual(events.map((e) => e.id));
    expect(frames.at(-1)).toMatchObject({ event: "end" });
    expect(JSON.parse(frames.at(-1)!.data!)).toEqual({ job_id: id, status: "succeeded" });

    const resumed = await readSse(
      await h.t.request(`/v1/jobs/${id}/events?stream=true`, { headers: { "last-event-id": events[4].id } }),
    );
    expect(
      resumed.filter((f) => f.event === "job.event").map((f) => (JSON.parse(f.data!) as { seq: number }).seq),
    ).toEqual([6, 7]);
    expect(resumed.at(-1)?.event).toBe("end");

    const page = (await (await h.t.request(`/v1/jobs/${id}/events?limit=3&after=${events[1].id}`)).json()) as {
      data: Array<{ seq: number }>;
      has_more: boolean;
    };
    expect(page.data.map((e) => e.seq)).toEqual([3, 4, 5]);
    expect(page.has_more).toBe(true);
    const badCursor = await h.t.request(`/v1/jobs/${id}/events?after=ftevent_nope`);
    expect(((await badCursor.json()) as Problem).param).toBe("after");
  });
});

describe("checkpoints and artifacts", () => {
  it("lists complete checkpoints newest first and artifacts with working presigned URLs", async () => {
    const id = ((await (await h.createJob({})).json()) as JobBody).id;
    for (const [step, complete] of [
      [10, 1],
      [20, 1],
      [30, 0],
    ] as const) {
      await h.t.database.db.insert(checkpoints).values({
        id: newId(ID_PREFIX.checkpoint),
        jobId: id,
        step,
        objectPrefix: `tenants/${h.t.tenantId}/jobs/${id}/checkpoints/${step}/`,
        metrics: { loss: 1 / step },
        complete,
      });
    }
    const page1 = (await (await h.t.request(`/v1/jobs/${id}/checkpoints?limit=1`)).json()) as {
      data: Array<{ step: number; metrics: Record<string, number> }>;
      has_more: boolean;
      next_cursor: string;
    };
    expect(page1.data.map((c) => c.step)).toEqual([20]);
    expect(page1.has_more).toBe(true);
    const page2 = (await (
      await h.t.request(`/v1/jobs/${id}/checkpoints?limit=1&after=${page1.next_cursor}`)
    ).json()) as typeof page1;
    expect(page2.data.map((c) => c.step)).toEqual([10]);
    expect(page2.has_more).toBe(false);

    const key = `tenants/${h.t.tenantId}/jobs/${id}/metrics.json`;
    await h.t.aws.s3.send(new PutObjectCommand({ Bucket: h.t.aws.bucket, Key: key, Body: '{"loss":0.5}' }));
    await h.t.database.db.insert(artifacts).values([
      {
        id: newId(ID_PREFIX.artifact),
        jobId: id,
        kind: "metrics",
        filename: "metrics.json",
        objectKey: key,
        bytes: 12,
      },
      {
        id: newId(ID_PREFIX.artifact),
        jobId: id,
        kind: "adapter",
        filename: "adapter_model.safetensors",
        objectKey: key + ".x",
        bytes: 1,
        withheld: 1,
      },
    ]);
    const list = (await (await h.t.request(`/v1/jobs/${id}/artifacts`)).json()) as {
      data: Array<{ kind: string; url: string }>;
    };
    expect(list.data.map((a) => a.kind)).toEqual(["metrics"]);
    const download = await fetch(list.data[0].url);
    expect(await download.text()).toBe('{"loss":0.5}');
    const all = (await (await h.t.request(`/v1/jobs/${id}/artifacts?include_withheld=true`)).json()) as typeof list;
    expect(all.data.map((a) => a.kind)).toEqual(["adapter", "metrics"]);
  });
});

describe("tenant isolation", () => {
  it("answers 404 on every job route for another tenant's job", async () => {
    const id = ((await (await h.createJob({})).json()) as JobBody).id;
    const routes: Array<[string, string]> = [
      ["GET", `/v1/jobs/${id}`],
      ["POST", `/v1/jobs/${id}/cancel`],
      ["GET", `/v1/jobs/${id}/events`],
      ["GET", `/v1/jobs/${id}/events?stream=true`],
      ["GET", `/v1/jobs/${id}/checkpoints`],
      ["GET", `/v1/jobs/${id}/artifacts`],
    ];
    for (const [method, path] of routes) {
      const res = await h.t.request(path, { method, key: h.t.otherApiKey });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(((await res.json()) as Problem).code).toBe("not_found");
    }
    const list = (await (await h.t.request("/v1/jobs?limit=100", { key: h.t.otherApiKey })).json()) as {
      data: JobBody[];
    };
    expect(list.data.map((j) => j.id)).not.toContain(id);
    const [row] = await h.t.database.db.select().from(jobs).where(eq(jobs.id, id));
    expect(row.status).toBe("queued");
  });
});

describe("OpenAPI", () => {
  it("documents the job routes of both surfaces", async () => {
    const doc = (await (await h.t.app.request("/openapi.json")).json()) as { paths: Record<string, unknown> };
    const paths = [
      "/v1/jobs",
      "/v1/jobs/{id}",
      "/v1/jobs/{id}/cancel",
      "/v1/jobs/{id}/events",
      "/v1/jobs/{id}/checkpoints",
      "/v1/jobs/{id}/artifacts",
    ];
    for (const p of [...paths, ...paths.slice(0, 5).map((x) => x.replace("/v1/jobs", "/v1/fine_tuning/jobs"))]) {
      expect(doc.paths[p], p).toBeDefined();
    }
  });
});
