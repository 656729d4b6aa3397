import { describe, expect, it } from "vitest";
import { modelRefId, resolveModelRef } from "./model-registry.ts";

describe("model registry", () => {
  it.each([
    ["guardtune/tiny-random", { kind: "builtin", id: "guardtune/tiny-random" }],
    ["file:///srv/models/qwen2.5-0.5b", { kind: "file", path: "/srv/models/qwen2.5-0.5b" }],
    ["file:///srv/models/qwen/", { kind: "file", path: "/srv/models/qwen" }],
    ["s3://my-models/qwen2.5-0.5b", { kind: "s3", bucket: "my-models", prefix: "qwen2.5-0.5b/" }],
    ["s3://my-models/org/qwen/", { kind: "s3", bucket: "my-models", prefix: "org/qwen/" }],
    ["s3://my-models", { kind: "s3", bucket: "my-models", prefix: "" }],
  ])("resolves %s", (id, ref) => {
    expect(resolveModelRef(id)).toEqual(ref);
  });

  it.each([
    "gpt-4o-mini",
    "guardtune/unknown",
    "file://relative/dir",
    "file:///srv/../etc",
    "file:///",
    "s3://Bad_Bucket/x/",
    "s3://bucket/../x/",
    "http://example.com/model",
    "",
  ])("refuses %s", (id) => {
    expect(resolveModelRef(id)).toBeNull();
  });

  it("gives a canonical id that resolves to the same reference", () => {
    for (const id of ["guardtune/tiny-random", "file:///srv/m/", "s3://b-1/p"]) {
      const ref = resolveModelRef(id)!;
      expect(resolveModelRef(modelRefId(ref))).toEqual(ref);
    }
  });
});
