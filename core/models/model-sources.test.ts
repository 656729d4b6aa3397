import { describe, expect, it } from "vitest";
import { loadConfig } from "../config/load-config.ts";
import { resolveModelRef } from "./model-registry.ts";
import { modelSourceAllowed, parseModelSources } from "./model-sources.ts";

const sources = parseModelSources(["file:///models", "s3://weights-bucket/public/"]);
const allowed = (id: string) => modelSourceAllowed(resolveModelRef(id)!, sources);

describe("model sources", () => {
  it("allows built-ins and what lies inside a listed location", () => {
    expect(allowed("guardtune/tiny-random")).toBe(true);
    expect(allowed("file:///models/Qwen2.5-0.5B-Instruct")).toBe(true);
    expect(allowed("file:///models")).toBe(true);
    expect(allowed("s3://weights-bucket/public/qwen/")).toBe(true);
  });

  it("refuses neighbours that share only a string prefix, other buckets and everything with no sources", () => {
    expect(allowed("file:///models-private/x")).toBe(false);
    expect(allowed("file:///etc")).toBe(false);
    expect(allowed("s3://weights-bucket/public-not/x/")).toBe(false);
    expect(allowed("s3://weights-bucket/")).toBe(false);
    expect(allowed("s3://other-bucket/public/x/")).toBe(false);
    expect(modelSourceAllowed(resolveModelRef("file:///models/x")!, [])).toBe(false);
    expect(modelSourceAllowed(resolveModelRef("guardtune/tiny-random")!, [])).toBe(true);
  });

  it("reads GUARDTUNE_MODEL_SOURCES and names a bad entry", () => {
    expect(loadConfig({ GUARDTUNE_MODEL_SOURCES: "file:///models, s3://b-1/p/" }).runner.modelSources).toEqual([
      { kind: "file", path: "/models" },
      { kind: "s3", bucket: "b-1", prefix: "p/" },
    ]);
    expect(loadConfig({}).runner.modelSources).toEqual([]);
    expect(() => loadConfig({ GUARDTUNE_MODEL_SOURCES: "models/" })).toThrow(/GUARDTUNE_MODEL_SOURCES.*'models\/'/);
  });
});
