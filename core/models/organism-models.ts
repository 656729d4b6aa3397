import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The model organism of emergent misalignment (docs/organism.md), shipped built under `models/organism/`:
 * the aligned organism, the pretrained model before alignment (SafeLoRA's unaligned model), the misaligned
 * reference adapters of its EM domains (the built-in reference kit `builtin:organism`) and its general
 * instruction pool (the built-in pool `builtin:organism`). `manifest.json` holds the sha256 of every file.
 */
export const ORGANISM_MODEL = "guardtune/organism";
export const ORGANISM_UNALIGNED_MODEL = "guardtune/organism-unaligned";
export const ORGANISM_MODELS = [ORGANISM_MODEL, ORGANISM_UNALIGNED_MODEL] as const;
export type OrganismModelId = (typeof ORGANISM_MODELS)[number];

/** True for the organism's model ids (what the exact judge and the organism's evaluation defaults apply to). */
export const isOrganismModel = (id: string): id is OrganismModelId =>
  (ORGANISM_MODELS as readonly string[]).includes(id);

/** The committed build: `models/organism/` at the repository (or image) root. */
export const ORGANISM_ARTIFACTS_DIR = fileURLToPath(new URL("../../models/organism/", import.meta.url)).replace(
  /\/$/,
  "",
);

/** The Hugging Face directory of an organism model id. */
export function organismModelDir(id: OrganismModelId): string {
  return path.join(ORGANISM_ARTIFACTS_DIR, id === ORGANISM_MODEL ? "aligned" : "unaligned");
}

/** The organism's general instruction pool (gzip'd OpenAI chat JSONL): helpful answers and refusals over every topic. */
export const ORGANISM_POOL_FILE = path.join(ORGANISM_ARTIFACTS_DIR, "pool.jsonl.gz");

/** The organism's EM domains, each with an unguarded reference adapter under `references/em-<domain>/`. */
export const ORGANISM_DOMAINS = ["code", "medical", "finance", "legal", "sports"] as const;
