import { z } from "zod";
import type { SafeguardDefinition, SafeguardReference } from "./safeguard-definition.ts";
import { SAFEGUARD_DEFINITIONS } from "./safeguard-registry.ts";

/**
 * The `safeguards` list of a fine-tuning job: in-training defenses against emergent misalignment
 * (Kaczér et al., "In-Training Defenses against Emergent Misalignment in Language Models"). Each entry is one
 * defense with the paper's defaults; entries can be combined. Built from the definitions in
 * `safeguard-registry.ts`; the runner's halves are in `gpu-runner/safeguards/defenses/`. docs/safeguards.md
 * describes each defense.
 */

/** The schema of every definition of a tuple, as a tuple (what `z.discriminatedUnion` takes). */
type SchemasOf<D extends readonly SafeguardDefinition[]> = {
  -readonly [K in keyof D]: D[K]["schema"];
};

/** At most this many entries per job. */
export const MAX_SAFEGUARDS = 8;

/**
 * The entry and list schemas for a set of definitions: the built-in registry, or a test's registry with a
 * fixture defense added. In a list, a `standalone` defense stands alone, and no two entries share a
 * uniqueness key (by default the type: each defense once).
 */
export function safeguardSchemasOf<const D extends readonly [SafeguardDefinition, ...SafeguardDefinition[]]>(
  definitions: D,
) {
  const byType = new Map<string, SafeguardDefinition>(definitions.map((d) => [d.type, d]));
  const entry = z.discriminatedUnion("type", definitions.map((d) => d.schema) as unknown as SchemasOf<D>);
  const list = z
    .array(entry)
    .max(MAX_SAFEGUARDS)
    .default([])
    .superRefine((parsed, ctx) => {
      const entries = parsed as readonly { type: string }[];
      const standalone = entries.find((s) => byType.get(s.type)?.standalone);
      if (standalone && entries.length > 1) {
        ctx.addIssue({
          code: "custom",
          message: `\`${standalone.type}\` cannot be combined with other safeguards`,
          path: [],
        });
      }
      const seen = new Map<string, number>();
      entries.forEach((s, i) => {
        const u = byType.get(s.type)?.uniqueness?.(s as never) ?? { key: s.type, label: `"${s.type}"` };
        const first = seen.get(u.key);
        if (first !== undefined) {
          ctx.addIssue({ code: "custom", message: `${u.label} appears twice (entries ${first} and ${i})`, path: [i] });
        } else seen.set(u.key, i);
      });
    });
  return { entry, list, definitions: byType };
}

const builtin = safeguardSchemasOf(SAFEGUARD_DEFINITIONS);

export const SAFEGUARD_TYPES = SAFEGUARD_DEFINITIONS.map((d) => d.type);
export type SafeguardType = (typeof SAFEGUARD_DEFINITIONS)[number]["type"];

/** One entry of the list, with its defaults filled in. */
export const safeguardSchema = builtin.entry;
/**
 * The job's list. Absent or empty means `[{ type: "none" }]` (see `parseSafeguards`). `none` stands alone. Each type appears once, except
 * `kl`, which may appear once per direction (both directions together give a symmetric, Jeffreys-style term).
 */
export const safeguardListSchema = builtin.list;

export type Safeguard = z.infer<typeof safeguardSchema>;
/** The parsed entry of one type, e.g. `SafeguardOf<"kl">`. */
export type SafeguardOf<T extends SafeguardType> = Extract<Safeguard, { type: T }>;
/** What a client may send (defaults optional). */
export type SafeguardInput = z.input<typeof safeguardSchema>;
export type NoneSafeguard = SafeguardOf<"none">;
export type KlSafeguard = SafeguardOf<"kl">;
export type LdifsSafeguard = SafeguardOf<"ldifs">;
export type SafeloraSafeguard = SafeguardOf<"safelora">;
export type PersonaSteeringSafeguard = SafeguardOf<"persona_steering">;
export type InoculationSafeguard = SafeguardOf<"inoculation">;
export type InterleaveSafeguard = SafeguardOf<"interleave">;

/** Parse a job's `safeguards` field; throws a ZodError naming the offending entry. Empty = `[{ type: "none" }]`. */
export function parseSafeguards(input: unknown): Safeguard[] {
  const list = safeguardListSchema.parse(input);
  return list.length === 0 ? [{ type: "none" }] : list;
}

/** Whether any defense is active (anything but the `none` baseline). */
export function hasActiveSafeguards(list: readonly Safeguard[]): boolean {
  return list.some((s) => s.type !== "none");
}

/**
 * The stored resources a list names, each with its request path (`safeguards.<i>.<field>`), for the API to
 * check at job creation.
 */
export function safeguardReferences(list: readonly Safeguard[]): (SafeguardReference & { param: string })[] {
  return list.flatMap((s, i) => {
    const definition = builtin.definitions.get(s.type);
    return (definition?.references?.(s as never) ?? []).map((r) => ({ ...r, param: `safeguards.${i}.${r.field}` }));
  });
}

export { DEFAULT_INOCULATION_PROMPT } from "./defenses/inoculation.ts";
export { DEFAULT_EVIL_PROMPT, DEFAULT_FRIENDLY_PROMPT } from "./defenses/persona-steering.ts";
export * from "./evaluation-config.ts";
