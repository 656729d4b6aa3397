import path from "node:path";
import { fileURLToPath } from "node:url";
import { ORGANISM_MODELS } from "./organism-models.ts";

/**
 * Model ids a job may name, and where the weights come from. The runner turns a reference into a local
 * Hugging Face directory (generating built-ins, reading `file://` in place, downloading `s3://` once into
 * its cache); the API refuses anything this function does not resolve.
 */

/** Models guardtune can produce itself, without any download. */
export const BUILTIN_MODELS = ["guardtune/tiny-random", ...ORGANISM_MODELS] as const;
export type BuiltinModelId = (typeof BUILTIN_MODELS)[number];

export type ModelRef =
  | { kind: "builtin"; id: BuiltinModelId }
  /** An absolute directory on the runner's file system holding `config.json`, weights and tokenizer. */
  | { kind: "file"; path: string }
  /** A prefix (ending in `/`) under which the directory's files are stored. */
  | { kind: "s3"; bucket: string; prefix: string };

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** `guardtune/tiny-random`, `file:///abs/dir`, `s3://bucket/prefix/`; null when the id is none of them. */
export function resolveModelRef(id: string): ModelRef | null {
  if ((BUILTIN_MODELS as readonly string[]).includes(id)) return { kind: "builtin", id: id as BuiltinModelId };
  if (id.startsWith("file://")) {
    let dir: string;
    try {
      dir = fileURLToPath(id);
    } catch {
      return null;
    }
    // Only absolute, already-normal paths: no `..` games, no trailing-slash ambiguity.
    if (!path.isAbsolute(dir) || id.includes("/../") || id.endsWith("/..")) return null;
    const normal = path.normalize(dir).replace(/\/+$/, "");
    return normal === "" ? null : { kind: "file", path: normal };
  }
  if (id.startsWith("s3://")) {
    const rest = id.slice("s3://".length);
    const slash = rest.indexOf("/");
    const bucket = slash === -1 ? rest : rest.slice(0, slash);
    let prefix = slash === -1 ? "" : rest.slice(slash + 1);
    if (!BUCKET_NAME.test(bucket) || prefix.split("/").some((p) => p === "..")) return null;
    if (prefix !== "" && !prefix.endsWith("/")) prefix += "/";
    return { kind: "s3", bucket, prefix };
  }
  return null;
}

/** The canonical id of a reference (what the job records as `model`). */
export function modelRefId(ref: ModelRef): string {
  switch (ref.kind) {
    case "builtin":
      return ref.id;
    case "file":
      return `file://${ref.path}`;
    case "s3":
      return `s3://${ref.bucket}/${ref.prefix}`;
  }
}
