/**
 * A model directory's weights: one `model.safetensors`, or shards listed by
 * `model.safetensors.index.json` (`{ metadata: { total_size }, weight_map: { name: file } }`).
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { ModelFileError } from "../model-file-error.ts";
import { elementCount, type F32Tensor } from "./f32-tensor.ts";
import { readSafetensors } from "./safetensors-read.ts";
import { writeSafetensors, type SafetensorsWriteDtype } from "./safetensors-write.ts";
import type { SafetensorsDtype } from "./safetensors-header.ts";

export const SINGLE_FILE = "model.safetensors";
export const SHARD_INDEX = "model.safetensors.index.json";

export interface CheckpointTensors {
  tensors: Map<string, F32Tensor>;
  dtypes: Map<string, SafetensorsDtype>;
  /** The files read, relative to the directory. */
  files: string[];
}

export async function readCheckpointTensors(dir: string): Promise<CheckpointTensors> {
  const indexPath = join(dir, SHARD_INDEX);
  if (existsSync(indexPath)) return readSharded(dir, await readShardIndex(indexPath));
  const single = join(dir, SINGLE_FILE);
  if (!existsSync(single))
    throw new ModelFileError("safetensors_format", `neither ${SINGLE_FILE} nor ${SHARD_INDEX} exists`, dir);
  const { tensors, dtypes } = await readSafetensors(single);
  return { tensors, dtypes, files: [SINGLE_FILE] };
}

async function readShardIndex(indexPath: string): Promise<Map<string, string>> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(indexPath, "utf8"));
  } catch (cause) {
    throw new ModelFileError("safetensors_format", "index is not valid JSON", indexPath, { cause });
  }
  const weightMap = (raw as { weight_map?: unknown } | null)?.weight_map;
  if (typeof weightMap !== "object" || weightMap === null || Array.isArray(weightMap)) {
    throw new ModelFileError("safetensors_format", "index has no weight_map object", indexPath);
  }
  const out = new Map<string, string>();
  for (const [name, file] of Object.entries(weightMap as Record<string, unknown>)) {
    // shard names are plain file names; refuse paths that would leave the model directory
    if (typeof file !== "string" || basename(file) !== file || !file.endsWith(".safetensors")) {
      throw new ModelFileError(
        "safetensors_format",
        `weight_map['${name}'] is not a .safetensors file name`,
        indexPath,
      );
    }
    out.set(name, file);
  }
  return out;
}

async function readSharded(dir: string, weightMap: Map<string, string>): Promise<CheckpointTensors> {
  const files = [...new Set(weightMap.values())].sort();
  const tensors = new Map<string, F32Tensor>();
  const dtypes = new Map<string, SafetensorsDtype>();
  for (const file of files) {
    const shard = await readSafetensors(join(dir, file));
    for (const [name, tensor] of shard.tensors) {
      if (tensors.has(name))
        throw new ModelFileError("safetensors_format", `tensor '${name}' appears in more than one shard`, dir);
      tensors.set(name, tensor);
      dtypes.set(name, shard.dtypes.get(name)!);
    }
  }
  const absent = [...weightMap].filter(([name]) => !tensors.has(name)).map(([name, file]) => `${name} (${file})`);
  if (absent.length > 0)
    throw new ModelFileError(
      "safetensors_format",
      `index lists tensors missing from their shards: ${absent.join(", ")}`,
      dir,
    );
  return { tensors, dtypes, files };
}

export interface ShardedWriteOptions {
  /** Upper bound of one shard's tensor bytes (a single larger tensor still gets its own shard). */
  maxShardBytes: number;
  dtype?: SafetensorsWriteDtype;
}

/** Writes `model-0000i-of-0000N.safetensors` shards plus the index, the layout transformers saves. */
export async function writeShardedCheckpoint(
  dir: string,
  tensors: ReadonlyMap<string, F32Tensor>,
  options: ShardedWriteOptions,
): Promise<string[]> {
  const bytesPer = (options.dtype ?? "F32") === "F32" ? 4 : 2;
  const names = [...tensors.keys()].sort();
  const groups: string[][] = [];
  let current: string[] = [];
  let currentBytes = 0;
  let totalSize = 0;
  for (const name of names) {
    const size = elementCount(tensors.get(name)!.shape) * bytesPer;
    totalSize += size;
    if (current.length > 0 && currentBytes + size > options.maxShardBytes) {
      groups.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(name);
    currentBytes += size;
  }
  if (current.length > 0) groups.push(current);
  await mkdir(dir, { recursive: true });
  const pad = (i: number) => String(i).padStart(5, "0");
  const weightMap: Record<string, string> = {};
  const files: string[] = [];
  for (const [i, group] of groups.entries()) {
    const file = `model-${pad(i + 1)}-of-${pad(groups.length)}.safetensors`;
    await writeSafetensors(join(dir, file), new Map(group.map((n) => [n, tensors.get(n)!])), { dtype: options.dtype });
    for (const n of group) weightMap[n] = file;
    files.push(file);
  }
  const indexPath = join(dir, SHARD_INDEX);
  await writeFile(
    `${indexPath}.partial`,
    `${JSON.stringify({ metadata: { total_size: totalSize }, weight_map: weightMap }, null, 2)}\n`,
  );
  await rename(`${indexPath}.partial`, indexPath);
  return files;
}
