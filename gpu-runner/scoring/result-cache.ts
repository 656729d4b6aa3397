/**
 * A runner-local cache of results that depend only on model weights and settings: the base model's organism
 * evaluation, and the pool NLLs of perplexity-gap selection (the aligned model and every reference adapter score
 * the same pool in every job on the model). Entries are JSON files under `<cacheDir>/<kind>/<sha256>.json`,
 * written to a unique temporary name and renamed, so concurrent runners never read half a file; an unreadable
 * entry is recomputed.
 */
import { createHash, type Hash } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import type { F32Tensor } from "../models/index.ts";

const digests = new WeakMap<ReadonlyMap<string, F32Tensor>, string>();

/** sha256 over every tensor's name, shape and bytes, in name order (memoised per tensor map). */
export function tensorsDigest(tensors: ReadonlyMap<string, F32Tensor>): string {
  let d = digests.get(tensors);
  if (d === undefined) {
    const h = createHash("sha256");
    for (const name of [...tensors.keys()].sort()) {
      const t = tensors.get(name)!;
      h.update(name).update(JSON.stringify(t.shape));
      h.update(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    }
    digests.set(tensors, (d = h.digest("hex")));
  }
  return d;
}

/** A sha256 key: `parts` in order, then whatever `more` feeds the hash. */
export function cacheKey(parts: readonly unknown[], more?: (h: Hash) => void): string {
  const h = createHash("sha256").update(JSON.stringify(parts));
  more?.(h);
  return h.digest("hex");
}

/**
 * The cached value of `kind`/`key`, or `compute()` stored under it. Without a cache directory, computes every
 * time.
 */
export async function cachedJson<T>(
  cacheDir: string | undefined,
  kind: string,
  key: string,
  compute: () => Promise<T>,
): Promise<{ value: T; cached: boolean }> {
  if (cacheDir === undefined) return { value: await compute(), cached: false };
  const file = cacheFile(cacheDir, kind, key);
  const hit = await readCached<T>(file);
  if (hit !== null) return { value: hit, cached: true };
  const value = await compute();
  await writeCached(file, value);
  return { value, cached: false };
}

export const cacheFile = (cacheDir: string, kind: string, key: string) => path.join(cacheDir, kind, `${key}.json`);

/** The entry's value, or null when it is absent or unreadable. */
export async function readCached<T>(file: string): Promise<T | null> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as T;
  } catch {
    return null;
  }
}

export async function writeCached(file: string, value: unknown): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.partial`;
  await writeFile(tmp, JSON.stringify(value));
  await rename(tmp, file);
}
