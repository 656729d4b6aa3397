import path from "node:path";
import { resolveModelRef, type ModelRef } from "./model-registry.ts";

/**
 * Where tenants may load base models from. A `file://` directory is read by the runner with its own file-system
 * rights, and an `s3://` prefix with the service's credentials: left open, either lets one tenant read what the
 * runner can (another tenant's downloaded model in the cache, any bucket the service role reaches). So both
 * must lie under a location the operator lists in `GUARDTUNE_MODEL_SOURCES`; built-in models are always allowed.
 */
export type ModelSource = Extract<ModelRef, { kind: "file" | "s3" }>;

/** Parses `GUARDTUNE_MODEL_SOURCES` entries (`file:///models`, `s3://bucket/prefix/`); throws naming a bad one. */
export function parseModelSources(entries: readonly string[]): ModelSource[] {
  return entries.map((entry) => {
    const ref = resolveModelRef(entry);
    if (!ref || ref.kind === "builtin")
      throw new Error(
        `GUARDTUNE_MODEL_SOURCES: '${entry}' is not a file:///absolute/dir or s3://bucket/prefix/ location`,
      );
    return ref;
  });
}

/** True when `ref` is a built-in model or lies inside one of `sources` (whole path segments, no prefix tricks). */
export function modelSourceAllowed(ref: ModelRef, sources: readonly ModelSource[]): boolean {
  if (ref.kind === "builtin") return true;
  return sources.some((root) => {
    if (ref.kind === "file" && root.kind === "file")
      return (
        ref.path === root.path || ref.path.startsWith(root.path.endsWith(path.sep) ? root.path : root.path + path.sep)
      );
    if (ref.kind === "s3" && root.kind === "s3")
      return ref.bucket === root.bucket && ref.prefix.startsWith(root.prefix);
    return false;
  });
}
