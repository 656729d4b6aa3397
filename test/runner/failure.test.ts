import { createServer, connect } from "node:net";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { JobError, permanent } from "../../core/errors.ts";
import { ModelFileError } from "../../gpu-runner/models/index.ts";
import { classifyFailure, retryDelaySeconds } from "../../gpu-runner/worker/failure.ts";

const thrown = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error("expected a throw");
};

/** The error of connecting to a port nobody listens on (a server opened and closed again). */
async function refusedConnection(): Promise<unknown> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return new Promise((resolve) => connect(port, "127.0.0.1").once("error", resolve));
}

describe("failure classification", () => {
  it("keeps JobErrors as they are", () => {
    const e = permanent("dataset_changed", "upload it again", undefined, "training_dataset");
    expect(classifyFailure(e)).toBe(e);
  });

  it("maps model file problems, bad stored config and allocation failures to permanent errors a user can act on", () => {
    const model = classifyFailure(new ModelFileError("weight_set_mismatch", "missing keys"));
    expect([model.code, model.retryable, model.param]).toEqual(["model_incompatible", false, "model"]);
    const config = classifyFailure(thrown(() => z.object({ n: z.number() }).parse({ n: "x" })));
    expect([config.code, config.retryable]).toEqual(["invalid_job_config", false]);
    const oom = classifyFailure(thrown(() => new ArrayBuffer(Number.MAX_SAFE_INTEGER)));
    expect([oom.code, oom.retryable, oom.param]).toEqual(["out_of_memory", false, "method.hyperparameters.batch_size"]);
  });

  it("retries network failures and throttling, and surfaces unknown errors permanently with their message", async () => {
    const network = await refusedConnection();
    expect((network as { code?: string }).code).toBe("ECONNREFUSED");
    expect(classifyFailure(network).retryable).toBe(true);
    const throttled = Object.assign(new Error("Rate exceeded"), {
      name: "ThrottlingException",
      $metadata: { httpStatusCode: 400 },
    });
    expect(classifyFailure(throttled)).toMatchObject({ code: "transient_failure", retryable: true });
    // Classified by AWS and PostgreSQL error codes, not by words in names or messages
    const slowDown = Object.assign(new Error("Please reduce your request rate."), { name: "SlowDown" });
    expect(classifyFailure(slowDown).retryable).toBe(true);
    const adminShutdown = Object.assign(new Error("terminating connection"), { code: "57P01" });
    expect(classifyFailure(adminShutdown).retryable).toBe(true);
    const lookalike = Object.assign(new Error("request throttled by the tenant's own rule"), {
      name: "TenantThrottledRuleError",
    });
    expect(classifyFailure(lookalike)).toMatchObject({ code: "internal_error", retryable: false });
    const bug = classifyFailure(new TypeError("x is not a function"));
    expect(bug).toBeInstanceOf(JobError);
    expect([bug.code, bug.retryable]).toEqual(["internal_error", false]);
    expect(bug.message).toMatch(/x is not a function/);
  });

  it("backs off exponentially per delivery, capped", () => {
    expect([1, 2, 3, 10].map((n) => retryDelaySeconds(n, 5000))).toEqual([5, 10, 20, 300]);
    expect(retryDelaySeconds(4, 0)).toBe(0);
  });
});
