/**
 * The defense documentation follows the registry: README's table has one row per defense with its title,
 * docs/safeguards.md has a section per defense whose parameter table lists exactly the schema's fields, and
 * every default written as a JSON literal there is the schema's default.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SAFEGUARD_DEFINITIONS } from "./safeguard-registry.ts";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const docs = readFileSync(new URL("../../docs/safeguards.md", import.meta.url), "utf8");

/** The section of docs/safeguards.md headed "### `type`" (up to the next heading). */
function section(type: string): string | null {
  const start = docs.split("\n").findIndex((l) => l.startsWith(`### \`${type}\``));
  if (start < 0) return null;
  const rest = docs.split("\n").slice(start + 1);
  const end = rest.findIndex((l) => l.startsWith("#"));
  return rest.slice(0, end < 0 ? undefined : end).join("\n");
}

/** Parameter table rows: names (every backticked word of the first cell) and the default cell. */
function parameterRows(text: string): { names: string[]; defaultCell: string }[] {
  return text
    .split("\n")
    .filter((l) => l.startsWith("| `"))
    .map((l) => {
      const cells = l.split(/(?<!\\)\|/).map((c) => c.trim());
      return { names: [...cells[1].matchAll(/`([a-z_]+)`/g)].map((m) => m[1]), defaultCell: cells[2] ?? "" };
    });
}

/** The leading backticked JSON literal of a cell (`0.1`, `"random"`), or undefined when it starts otherwise. */
function documentedDefault(cell: string): { value: unknown } | undefined {
  const m = /^`([^`]+)`/.exec(cell);
  if (!m) return undefined;
  try {
    return { value: JSON.parse(m[1]) };
  } catch {
    return undefined;
  }
}

describe("defense documentation follows the registry", () => {
  it.each(SAFEGUARD_DEFINITIONS.filter((d) => !d.standalone).map((d) => [d.type, d] as const))(
    "README lists %s with its title",
    (type, d) => {
      expect(readme).toContain(`| \`${type}\` | ${d.title} |`);
    },
  );

  it.each(SAFEGUARD_DEFINITIONS.map((d) => [d.type, d] as const))(
    "docs/safeguards.md documents every field and default of %s",
    (type, d) => {
      const text = section(type);
      expect(text, `docs/safeguards.md needs a "### \`${type}\`" section`).not.toBeNull();
      const fields = Object.keys(d.schema.shape).filter((k) => k !== "type");
      const rows = parameterRows(text!);
      expect(rows.flatMap((r) => r.names).sort()).toEqual([...fields].sort());
      for (const row of rows) {
        const documented = documentedDefault(row.defaultCell);
        if (!documented) continue;
        for (const name of row.names) {
          const field = (d.schema.shape as Record<string, { safeParse(v: unknown): { data?: unknown } }>)[name];
          expect(field.safeParse(undefined).data, `default of ${type}.${name}`).toEqual(documented.value);
        }
      }
    },
  );
});
