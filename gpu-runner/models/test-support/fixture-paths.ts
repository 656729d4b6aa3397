/**
 * Where the transformers/peft golden files live. Locally, tests skip with this message when they are
 * absent; in CI (`CI=true`) a missing fixture fails every test file that needs it instead of skipping.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

export const HF_ORACLE_DIR = fileURLToPath(new URL("../../../../shared/fixtures/hf-oracle", import.meta.url));
export const HAS_HF_ORACLE = existsSync(join(HF_ORACLE_DIR, "README.md"));
if (!HAS_HF_ORACLE && process.env.CI === "true") {
  throw new Error(
    `The golden fixtures are missing at ${HF_ORACLE_DIR} and CI=true: check out ../shared/fixtures/hf-oracle next to the repository (tests must not skip in CI).`,
  );
}
export const HF_ORACLE_SKIP_REASON = `(skipped: transformers fixtures not found at ${HF_ORACLE_DIR})`;

export const oraclePath = (...parts: string[]): string => join(HF_ORACLE_DIR, ...parts);
