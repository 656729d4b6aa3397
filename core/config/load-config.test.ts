import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./load-config.ts";

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  it("defaults to the embedded mode with nothing set", () => {
    const config = loadConfig({});
    expect(config.mode).toBe("embedded");
    expect(config.http).toEqual({ port: 8787, host: "127.0.0.1" });
    expect(config.database.kind).toBe("pglite");
    if (config.database.kind === "pglite") expect(config.database.dataDir.endsWith(".guardtune/db")).toBe(true);
    expect(config.aws.kind).toBe("embedded");
    expect(config.uploads.maxBytes).toBe(512 * 1024 * 1024);
  });

  it("switches to external mode by configuration alone", () => {
    const config = loadConfig({
      DATABASE_URL: "postgres://u@db.internal:5432/guardtune",
      AWS_REGION: "eu-west-1",
      GUARDTUNE_BUCKET: "uploads",
      GUARDTUNE_JOBS_QUEUE_URL: "https://sqs.eu-west-1.amazonaws.com/1/jobs",
      GUARDTUNE_UPLOADS_QUEUE_URL: "https://sqs.eu-west-1.amazonaws.com/1/uploads",
    });
    expect(config.mode).toBe("external");
    expect(config.database).toMatchObject({ kind: "postgres", url: "postgres://u@db.internal:5432/guardtune" });
    expect(config.aws).toMatchObject({ kind: "external", bucket: "uploads", region: "eu-west-1", endpoint: undefined });
  });

  it.each([
    [{ PORT: "eighty" }, "PORT"],
    [{ PORT: "70000" }, "PORT"],
    [{ LOG_LEVEL: "loud" }, "LOG_LEVEL"],
    [{ GUARDTUNE_EP: "cuda" }, "GUARDTUNE_EP"],
    [{ GUARDTUNE_UPLOAD_URL_TTL_SECONDS: "3600" }, "GUARDTUNE_UPLOAD_URL_TTL_SECONDS"],
    [{ DATABASE_URL: "mysql://x" }, "DATABASE_URL"],
    [
      { GUARDTUNE_BUCKET: "b", GUARDTUNE_JOBS_QUEUE_URL: "https://q/1/j", AWS_REGION: "us-east-1" },
      "GUARDTUNE_UPLOADS_QUEUE_URL",
    ],
    [{ GUARDTUNE_JOBS_QUEUE_URL: "https://q/1/j" }, "GUARDTUNE_JOBS_QUEUE_URL"],
  ])("names the variable in the error: %o", (env, variable) => {
    const err = configError(env);
    expect(err.variable).toBe(variable);
    expect(err.message).toContain(variable);
  });
});
