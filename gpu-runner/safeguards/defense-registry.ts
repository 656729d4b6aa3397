/**
 * The runner's half of every defense, keyed by type. The mapped type makes the compiler ask for an entry
 * here whenever `core/safeguards/safeguard-registry.ts` lists a new definition; the order (preparation and
 * post-training steps) is the core registry's.
 */
import { SAFEGUARD_TYPES, type SafeguardOf, type SafeguardType } from "../../core/safeguards/safeguard-config.ts";
import type { Defense } from "./defense.ts";
import { inoculationDefense } from "./defenses/inoculation.ts";
import { interleaveDefense } from "./defenses/interleave.ts";
import { klDefense } from "./defenses/kl.ts";
import { ldifsDefense } from "./defenses/ldifs.ts";
import { noneDefense } from "./defenses/none.ts";
import { personaSteeringDefense } from "./defenses/persona-steering.ts";
import { safeloraDefense } from "./defenses/safelora.ts";

const RUNTIME: { readonly [K in SafeguardType]: Defense<SafeguardOf<K>> } = {
  none: noneDefense,
  kl: klDefense,
  ldifs: ldifsDefense,
  inoculation: inoculationDefense,
  interleave: interleaveDefense,
  persona_steering: personaSteeringDefense,
  safelora: safeloraDefense,
};

/** Defenses by type, in preparation order. A test may build its own with a fixture defense added. */
export type DefenseRegistry = ReadonlyMap<string, Defense>;

export const DEFENSES: DefenseRegistry = new Map(SAFEGUARD_TYPES.map((t) => [t, RUNTIME[t] as Defense]));
