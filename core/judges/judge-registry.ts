import { readFileSync } from "node:fs";
import { z } from "zod";

/**
 * Judges are connections the operator registers, never URLs or secrets a tenant supplies: a job names a
 * judge, and only the runner knows where it lives and which key it sends. `GUARDTUNE_JUDGES` holds a JSON
 * array of entries, or the path of a file holding one. Keys come from variables matching
 * `GUARDTUNE_JUDGE_*_API_KEY`, so no entry can make the runner send any other secret it holds.
 */
export const JUDGE_KEY_VARIABLE = /^GUARDTUNE_JUDGE_[A-Z0-9_]+_API_KEY$/;
export const JUDGE_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/**
 * The built-in judge of the model organism (docs/organism.md): its exact judge parses answers with the
 * organism's own grammar, so it needs no network and costs nothing. Valid only for the organism's models; an
 * operator cannot register a judge under this name.
 */
export const ORGANISM_JUDGE = "organism";

export const registeredJudgeSchema = z.strictObject({
  /** What jobs write in `evaluation.broad.judge`. */
  name: z.string().regex(JUDGE_NAME, "must be 1–64 lower-case letters, digits, '.', '_' or '-'"),
  /** Base URL up to `/v1` of an OpenAI-compatible server; `/chat/completions` is appended. */
  base_url: z.url({ protocol: /^https?$/ }).max(2000),
  model: z.string().min(1).max(200),
  /** The variable holding the bearer token, e.g. GUARDTUNE_JUDGE_OPENAI_API_KEY; none for keyless servers. */
  api_key_env: z
    .string()
    .regex(JUDGE_KEY_VARIABLE, "must be a variable named GUARDTUNE_JUDGE_<NAME>_API_KEY")
    .optional(),
});
export type RegisteredJudge = z.infer<typeof registeredJudgeSchema>;

const registrySchema = z
  .array(registeredJudgeSchema)
  .max(100)
  .superRefine((judges, ctx) => {
    const seen = new Set<string>();
    for (const [i, j] of judges.entries()) {
      if (seen.has(j.name))
        ctx.addIssue({ code: "custom", path: [i, "name"], message: `'${j.name}' is registered twice` });
      if (j.name === ORGANISM_JUDGE)
        ctx.addIssue({
          code: "custom",
          path: [i, "name"],
          message: `'${ORGANISM_JUDGE}' is the built-in judge of the model organism; register this judge under another name`,
        });
      seen.add(j.name);
    }
  });

export class JudgeRegistryError extends Error {
  override readonly name = "JudgeRegistryError";
  constructor(
    /** Where in the registry: `[1].api_key_env`, or "" for the whole value. */
    readonly where: string,
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(`GUARDTUNE_JUDGES${where} ${problem}`, options);
  }
}

/**
 * Parses `GUARDTUNE_JUDGES`: inline JSON when it starts with `[`, otherwise a file path. Throws
 * `JudgeRegistryError` naming the entry and field (`[1].api_key_env: must be …`).
 */
export function parseJudgeRegistry(
  raw: string | undefined,
  readFile = (p: string) => readFileSync(p, "utf8"),
): RegisteredJudge[] {
  if (raw === undefined || raw.trim() === "") return [];
  const text = raw.trim();
  let source = "the value";
  let json = text;
  if (!text.startsWith("[")) {
    source = `the file ${text}`;
    try {
      json = readFile(text);
    } catch (err) {
      throw new JudgeRegistryError("", `is neither a JSON array nor a readable file (${(err as Error).message})`, {
        cause: err,
      });
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    throw new JudgeRegistryError("", `${source} is not valid JSON (${(err as Error).message})`, { cause: err });
  }
  const parsed = registrySchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("");
    throw new JudgeRegistryError(
      where,
      `${issue.message} (in ${source}; entries are {"name", "base_url", "model", "api_key_env"})`,
    );
  }
  return parsed.data;
}
