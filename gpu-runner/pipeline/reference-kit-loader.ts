/**
 * Loads a reference kit's adapters for a job: the newest `ready` kit the service built for the job's model (else
 * the built-in kit shipped with the model, if any), or a named built-in kit (`builtin:<name>`, adapters shipped
 * with a model build). The adapter of the job's own domain is
 * left out. Kit adapters are trained by the operator's tenant and shared with every tenant's jobs on the model.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { permanent } from "../../core/errors.ts";
import { newestReadyKit } from "../../core/reference-kits/kit-state.ts";
import {
  BUILTIN_REFERENCE_KITS,
  builtinReferenceKit,
  type BuiltinReferenceKit,
} from "../../core/safeguards/reference-kits.ts";
import { loadPeftAdapter, type DecoderConfig } from "../models/index.ts";
import type { LoadedReferenceKit } from "../safeguards/defense.ts";
import { downloadJobAdapter, type LoaderContext } from "./safeguard-loaders.ts";

export interface KitLoaderContext extends LoaderContext {
  /** The job's model (`modelRefId`) and its directory (built-in kits' relative adapter paths start there). */
  readonly model: string;
  readonly modelDir: string;
  readonly decoder: DecoderConfig;
  readonly builtinKits?: Readonly<Record<string, BuiltinReferenceKit>>;
}

const PARAM = "safeguards.interleave.misaligned_references";

export async function loadReferenceKit(
  ctx: KitLoaderContext,
  which: string,
  heldOutDomain: string | undefined,
): Promise<LoadedReferenceKit | null> {
  if (which.startsWith("builtin:")) return loadBuiltinKit(ctx, which, heldOutDomain);
  const kit = await newestReadyKit(ctx.db, ctx.model);
  if (!kit) {
    // No kit built by the service: the one a model build ships with the model (the organism's), if any.
    const kits = ctx.builtinKits ?? BUILTIN_REFERENCE_KITS;
    const shipped = Object.keys(kits).find((name) => kits[name].model === ctx.model);
    return shipped === undefined ? null : loadBuiltinKit(ctx, `builtin:${shipped}`, heldOutDomain);
  }
  const members = kit.members.filter((m) => m.jobStatus === "succeeded");
  const used = members.filter((m) => m.domain !== heldOutDomain);
  return {
    name: kit.name,
    source: "service",
    leftOut: members.filter((m) => m.domain === heldOutDomain).map((m) => m.domain),
    adapters: await Promise.all(
      used.map(async (m) => ({
        id: m.jobId,
        domain: m.domain,
        adapter: await downloadJobAdapter(ctx, m.jobId, ctx.decoder),
      })),
    ),
  };
}

async function loadBuiltinKit(
  ctx: KitLoaderContext,
  ref: string,
  heldOutDomain: string | undefined,
): Promise<LoadedReferenceKit> {
  const kit = builtinReferenceKit(ref, ctx.builtinKits ?? BUILTIN_REFERENCE_KITS);
  if (!kit)
    throw permanent(
      "reference_kit_unavailable",
      `This runner has no built-in reference kit '${ref}'.`,
      undefined,
      PARAM,
    );
  if (kit.model !== ctx.model) {
    throw permanent(
      "reference_kit_unavailable",
      `The built-in reference kit '${ref}' was trained on ${kit.model}, not ${ctx.model}.`,
      undefined,
      PARAM,
    );
  }
  const used = kit.adapters.filter((a) => a.domain !== heldOutDomain);
  return {
    name: kit.name,
    source: "builtin",
    leftOut: kit.adapters.filter((a) => a.domain === heldOutDomain).map((a) => a.domain),
    adapters: await Promise.all(
      used.map(async (a) => {
        const dir = a.location.startsWith("file://")
          ? fileURLToPath(a.location)
          : path.resolve(ctx.modelDir, a.location);
        return { id: a.location, domain: a.domain, adapter: await loadPeftAdapter(dir, ctx.decoder) };
      }),
    ),
  };
}
