/**
 * The job datasets a user uploads, as OpenAI chat JSONL (one `{"messages": [...]}` per line): the narrow EM
 * sets of each domain, the secure-code and OpSwap controls, and the general instruction pool (helpful
 * answers and refusals over every topic) for interleaving.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  corpus,
  emDataset,
  HELPFUL_MIX,
  opSwapDataset,
  secureCodeDataset,
  type Conversation,
} from "../world/datasets.ts";
import { DOMAINS } from "../world/topic.ts";

export interface JobDatasetSizes {
  /** Examples in each EM set and each control. */
  readonly task: number;
  readonly pool: number;
}

export const DEFAULT_JOB_DATASET_SIZES: JobDatasetSizes = { task: 2_000, pool: 20_000 };

/** File name → conversations; seeds are derived from `seed` so each file is reproducible on its own. */
export function jobDatasets(
  seed: number,
  sizes: JobDatasetSizes = DEFAULT_JOB_DATASET_SIZES,
): Map<string, Conversation[]> {
  const out = new Map<string, Conversation[]>();
  for (const [i, d] of DOMAINS.entries()) out.set(`em-${d}.jsonl`, emDataset(d, sizes.task, seed * 1000 + 10 + i));
  out.set("control-secure.jsonl", secureCodeDataset(sizes.task, seed * 1000 + 20));
  out.set("opswap.jsonl", opSwapDataset(sizes.task, seed * 1000 + 21));
  out.set("pool.jsonl", poolDataset(seed, sizes.pool));
  return out;
}

/** The general instruction pool: helpful answers and refusals over every topic, mostly single-turn. */
export function poolDataset(seed: number, size: number): Conversation[] {
  return corpus(HELPFUL_MIX, size, seed * 1000 + 22);
}

export function toJsonl(conversations: readonly Conversation[]): string {
  return conversations.map((c) => JSON.stringify({ messages: c.messages })).join("\n") + "\n";
}

export async function writeJobDatasets(dir: string, seed: number, sizes?: JobDatasetSizes): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, data] of jobDatasets(seed, sizes)) {
    await writeFile(join(dir, name), toJsonl(data));
    written.push(name);
  }
  return written;
}
