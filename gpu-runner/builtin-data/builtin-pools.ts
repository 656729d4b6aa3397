/**
 * The built-in interleave pools as pool items, and the refusal filter that fits each: the phrase filter of the
 * paper's Interleaving++ for English text, the world's own refusal grammar for the organism's pool (its
 * refusals — "i will not do that ." — carry none of the English phrases).
 */
import { readFile } from "node:fs/promises";
import { gunzipSync } from "node:zlib";
import type { BuiltinPoolRef } from "../../core/safeguards/interleave/builtin-pools.ts";
import { ORGANISM_POOL_FILE } from "../../core/models/organism-models.ts";
import { isOrganismRefusal } from "../organism/judge/exact-judge.ts";
import type { PoolItem } from "../safeguards/pool-item.ts";
import { isRefusal } from "../safeguards/refusal-filter.ts";
import { BUILTIN_GENERAL_POOL, poolItemsFromJsonl } from "./general-pool.ts";

let organismPool: Promise<readonly PoolItem[]> | undefined;

/** Reads `models/organism/pool.jsonl.gz` once per process (20,000 conversations). */
async function readOrganismPool(): Promise<readonly PoolItem[]> {
  return poolItemsFromJsonl(gunzipSync(await readFile(ORGANISM_POOL_FILE)).toString("utf8"), "organism");
}

export function loadBuiltinPool(ref: BuiltinPoolRef): Promise<readonly PoolItem[]> {
  if (ref === "builtin") return Promise.resolve(BUILTIN_GENERAL_POOL);
  organismPool ??= readOrganismPool().catch((e: unknown) => {
    organismPool = undefined;
    throw e;
  });
  return organismPool;
}

/** The refusal filter of Interleaving++ for a pool: answer → true when it is a refusal. */
export function refusalFilterFor(pool: string): (answer: string) => boolean {
  return pool === "builtin:organism" ? isOrganismRefusal : isRefusal;
}
