/** Where the transformers/peft golden files live; tests skip with this message when they are absent. */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

export const HF_ORACLE_DIR = fileURLToPath(new URL("../../../../shared/fixtures/hf-oracle", import.meta.url));
export const HAS_HF_ORACLE = existsSync(join(HF_ORACLE_DIR, "README.md"));
export const HF_ORACLE_SKIP_REASON = `(skipped: transformers fixtures not found at ${HF_ORACLE_DIR})`;

export const oraclePath = (...parts: string[]): string => join(HF_ORACLE_DIR, ...parts);
