import type { z } from "zod";
import type { BuiltinPoolRef } from "./interleave/builtin-pools.ts";
import type { DatasetPurpose } from "../db/schema/datasets.ts";

/**
 * The half of a defense that the API needs: its request schema with the paper's defaults, and what the API
 * checks beyond the schema. One definition per file in `core/safeguards/defenses/`, listed once in
 * `safeguard-registry.ts`; the runner's half (plan, preparation, training hooks, report) lives in
 * `gpu-runner/safeguards/defenses/` under the same `type`. The split follows the dependency rule: the API may
 * import `core/` but never `gpu-runner/`.
 */
export interface SafeguardDefinition<T extends string = string, S extends SafeguardSchema<T> = SafeguardSchema<T>> {
  readonly type: T;
  /** A strict object with `type: z.literal(type)`; every other field has the paper's default or is required. */
  readonly schema: S;
  /** One line for the docs and the API reference: what the defense does. */
  readonly title: string;
  /** Where the defaults come from (paper section, code, or "guardtune" with the reason). */
  readonly defaultsSource: string;
  /** Cannot be combined with any other entry (`none`). */
  readonly standalone?: boolean;
  /**
   * Entries with the same key may not both appear; default: the type (each defense once). `label` names the
   * entry in the error message.
   */
  readonly uniqueness?: (entry: z.infer<S>) => { key: string; label: string };
  /** Stored resources the entry names (datasets, adapters, models): the API checks them at job creation. */
  readonly references?: (entry: z.infer<S>) => readonly SafeguardReference[];
}

/** A strict object schema whose `type` is the literal `T`. */
export type SafeguardSchema<T extends string = string> = z.ZodObject<{ type: z.ZodLiteral<T> } & z.ZodRawShape>;

/** A resource an entry refers to; `field` is the path inside the entry, e.g. `misaligned_references.0`. */
export type SafeguardReference =
  | {
      readonly kind: "dataset";
      readonly id: string;
      readonly purposes: readonly DatasetPurpose[];
      readonly field: string;
    }
  | { readonly kind: "adapter"; readonly id: string; readonly field: string }
  | { readonly kind: "model"; readonly ref: string; readonly field: string }
  /** A built-in reference kit (`builtin:<name>`): it must exist and be for the job's model. */
  | { readonly kind: "reference_kit"; readonly ref: string; readonly field: string }
  /** A built-in interleave pool (`builtin`, `builtin:organism`): its text must fit the job's model. */
  | { readonly kind: "builtin_pool"; readonly ref: BuiltinPoolRef; readonly field: string };

/** Identity with inference: `defineSafeguard({ type: "kl", schema, … })` keeps the literal type and the schema. */
export function defineSafeguard<T extends string, S extends SafeguardSchema<T>>(
  definition: SafeguardDefinition<T, S>,
): SafeguardDefinition<T, S> {
  return definition;
}
