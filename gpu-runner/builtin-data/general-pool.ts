/**
 * guardtune's built-in general instruction pool (`general-pool.jsonl`, one conversation per line): short,
 * helpful, benign question/answer pairs written for this project, used for interleaving when a job names no pool.
 * A few answers decline politely (things an assistant cannot do), which is what the refusal filter of
 * "perplexity_gap_filtered" removes. For a larger pool, upload a dataset of purpose `interleave-pool` (see
 * docs/safeguards.md).
 */
import { readFileSync } from "node:fs";
import type { PoolItem } from "../safeguards/pool-item.ts";

/** Pool items from JSONL text of `{"messages": [...]}` lines, with ids `<prefix>:<line index>`. */
export function poolItemsFromJsonl(text: string, idPrefix: string): PoolItem[] {
  return text
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line, i) => ({
      id: `${idPrefix}:${i}`,
      messages: (JSON.parse(line) as { messages: PoolItem["messages"] }).messages,
    }));
}

export const BUILTIN_GENERAL_POOL: readonly PoolItem[] = poolItemsFromJsonl(
  readFileSync(new URL("./general-pool.jsonl", import.meta.url), "utf8"),
  "builtin",
);
