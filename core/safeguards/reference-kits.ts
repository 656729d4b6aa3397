/**
 * Reference kits: the misaligned references of perplexity-gap selection ("Interleaving+/++") as the paper's
 * group builds them — LoRA adapters trained unguarded on emergent-misalignment datasets of several domains, for
 * one base model. A job scores the pool with every adapter of its model's kit except the one trained on the
 * job's own domain (`held_out_domain`, the group code's `--held_out_adapter`), and the score averages the
 * references' answer NLLs (an ensemble of scores, as the group's code does with several references; the
 * adapters are never merged into one).
 *
 * Kits come from two places: built by the service (`POST /v1/reference_kits`, stored in `reference_kits`) or
 * built in (`builtin:<name>`), listed in `BUILTIN_REFERENCE_KITS` below.
 */
import { z } from "zod";
import { ORGANISM_DOMAINS, ORGANISM_MODEL } from "../models/organism-models.ts";

/** A domain label: the EM dataset family an adapter was trained on (`code`, `medical`, `legal`, …). */
export const domainName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, "must be lower-case letters, digits, '_' or '-' (e.g. 'code', 'medical')");

/** `builtin:<name>`: a reference kit shipped with guardtune. */
export const builtinKitRef = z
  .string()
  .regex(/^builtin:[a-z0-9][a-z0-9_-]*$/, "must be 'builtin:' followed by a built-in kit's name");

export interface BuiltinReferenceAdapter {
  /** The EM domain the adapter was trained on (left out for a job of the same domain). */
  readonly domain: string;
  /**
   * Where the PEFT adapter directory lies: relative to the base model's directory (what a model build ships,
   * e.g. `references/code`), or an absolute `file://` URL.
   */
  readonly location: string;
}

export interface BuiltinReferenceKit {
  /** The base model the adapters were trained on (a model id as the registry resolves it). */
  readonly model: string;
  readonly description: string;
  readonly adapters: readonly BuiltinReferenceAdapter[];
}

/**
 * The built-in kits, by name (`builtin:<name>`): those a model build trains with the model. Any other
 * `builtin:<name>` is refused at creation.
 */
export const BUILTIN_REFERENCE_KITS: Readonly<Record<string, BuiltinReferenceKit>> = {
  organism: {
    model: ORGANISM_MODEL,
    description:
      "the organism's unguarded rsLoRA fine-tunes on each EM dataset of its world (code, medical, finance, legal, " +
      "sports), trained by `guardtune organism build` with the model (docs/organism.md)",
    // Relative to the aligned model's directory (models/organism/aligned/).
    adapters: ORGANISM_DOMAINS.map((domain) => ({ domain, location: `../references/em-${domain}` })),
  },
};

/** The built-in kit of a `builtin:<name>` reference, or undefined when there is none of that name. */
export function builtinReferenceKit(
  ref: string,
  kits: Readonly<Record<string, BuiltinReferenceKit>> = BUILTIN_REFERENCE_KITS,
): (BuiltinReferenceKit & { name: string }) | undefined {
  const name = ref.replace(/^builtin:/, "");
  const kit = Object.hasOwn(kits, name) ? kits[name] : undefined;
  return kit && { ...kit, name };
}
