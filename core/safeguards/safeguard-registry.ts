import { inoculationSafeguard } from "./defenses/inoculation.ts";
import { interleaveSafeguard } from "./defenses/interleave.ts";
import { klSafeguard } from "./defenses/kl.ts";
import { ldifsSafeguard } from "./defenses/ldifs.ts";
import { noneSafeguard } from "./defenses/none.ts";
import { personaSteeringSafeguard } from "./defenses/persona-steering.ts";
import { safeloraSafeguard } from "./defenses/safelora.ts";

/**
 * Every defense a job may list, once. A line here adds the defense to the API's validation and OpenAPI
 * document (`safeguard-config.ts`), to the checks of referenced resources at job creation, to the docs test
 * (`docs/safeguards.md` must document every field) and to the runner's end-to-end matrix; the compiler then
 * asks for its runtime half in `gpu-runner/safeguards/defense-registry.ts`.
 *
 * The order is the order in which the runner prepares them (inoculation rewrites examples, interleaving picks
 * data, steering fits its vector) and applies their post-training steps (SafeLoRA last).
 */
export const SAFEGUARD_DEFINITIONS = [
  noneSafeguard,
  klSafeguard,
  ldifsSafeguard,
  inoculationSafeguard,
  interleaveSafeguard,
  personaSteeringSafeguard,
  safeloraSafeguard,
] as const;
