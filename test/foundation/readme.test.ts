import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { envSchema } from "../../core/config/env-schema.ts";

const README = path.resolve(import.meta.dirname, "../../README.md");

describe("README", () => {
  it("documents every configuration variable the code reads, and no others", async () => {
    const text = await readFile(README, "utf8");
    const table = text.split("<!-- config-table:start -->")[1]?.split("<!-- config-table:end -->")[0] ?? "";
    const documented = [...table.matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map((m) => m[1]).sort();
    expect(documented).toEqual(Object.keys(envSchema.shape).sort());
  });
});
