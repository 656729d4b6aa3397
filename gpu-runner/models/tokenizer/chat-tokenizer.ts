/**
 * A model's tokenizer plus its chat template, loaded from the Hugging Face files: tokenizer.json,
 * tokenizer_config.json, chat_template.jinja (preferred) or tokenizer_config's `chat_template`, and
 * generation_config.json for the end-of-turn ids.
 *
 * Two tokenizers are built from tokenizer.json: `tokenizer` behaves like transformers (special tokens
 * are recognised anywhere; used for decoding), `contentTokenizer` has the special added tokens removed,
 * so text encoded with it can never produce a special token by string match.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Template } from "@huggingface/jinja";
import { Tokenizer } from "@huggingface/tokenizers";
import { ModelFileError } from "../model-file-error.ts";

type Json = Record<string, unknown>;

export interface ChatTokenizerFiles {
  tokenizerJson: Json;
  tokenizerConfig: Json;
  /** chat_template.jinja contents, when the directory has one. */
  chatTemplateJinja?: string;
  generationConfig?: Json;
}

export interface ChatTokenizer {
  readonly tokenizer: Tokenizer;
  readonly contentTokenizer: Tokenizer;
  /** Special added tokens: content -> id. */
  readonly specialTokens: ReadonlyMap<string, number>;
  readonly specialIds: ReadonlySet<number>;
  /** Contents of all added tokens (their byte length is their UTF-8 length, not one byte per char). */
  readonly addedTokenContents: ReadonlySet<string>;
  /** Added tokens that swallow whitespace on their left/right (HF `lstrip` / `rstrip`). */
  readonly stripLeft: ReadonlySet<string>;
  readonly stripRight: ReadonlySet<string>;
  /** Tokens that close an assistant turn: eos_token plus generation_config's eos_token_id(s). */
  readonly endOfTurnIds: ReadonlySet<number>;
  readonly eosTokenId: number;
  readonly padTokenId: number;
  /** Model tokens stand for bytes one character each (GPT-2 style byte-level BPE). */
  readonly byteLevel: boolean;
  readonly vocabSize: number;
  readonly chatTemplate: Template;
  /** Variables transformers passes to every chat template render (bos_token, eos_token, ...). */
  readonly templateContext: Readonly<Json>;
}

async function readJson(path: string): Promise<Json> {
  try {
    const value: unknown = JSON.parse(await readFile(path, "utf8"));
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error("not a JSON object");
    return value as Json;
  } catch (cause) {
    throw new ModelFileError("tokenizer_invalid", "cannot read as a JSON object", path, { cause });
  }
}

export async function readChatTokenizerFiles(dir: string): Promise<ChatTokenizerFiles> {
  const optional = async (name: string) => (existsSync(join(dir, name)) ? readJson(join(dir, name)) : undefined);
  const jinjaPath = join(dir, "chat_template.jinja");
  return {
    tokenizerJson: await readJson(join(dir, "tokenizer.json")),
    tokenizerConfig: (await optional("tokenizer_config.json")) ?? {},
    chatTemplateJinja: existsSync(jinjaPath) ? await readFile(jinjaPath, "utf8") : undefined,
    generationConfig: await optional("generation_config.json"),
  };
}

export async function loadChatTokenizer(dir: string): Promise<ChatTokenizer> {
  return createChatTokenizer(await readChatTokenizerFiles(dir), dir);
}

interface AddedTokenJson {
  id: number;
  content: string;
  special: boolean;
  lstrip: boolean;
  rstrip: boolean;
}

function addedTokens(tokenizerJson: Json, path?: string): AddedTokenJson[] {
  const list = tokenizerJson.added_tokens ?? [];
  if (!Array.isArray(list)) throw new ModelFileError("tokenizer_invalid", "added_tokens is not a list", path);
  return list.map((t: unknown) => {
    const o = t as Partial<AddedTokenJson> | null;
    if (typeof o?.id !== "number" || typeof o.content !== "string")
      throw new ModelFileError("tokenizer_invalid", "added token without id/content", path);
    return {
      id: o.id,
      content: o.content,
      special: o.special === true,
      lstrip: o.lstrip === true,
      rstrip: o.rstrip === true,
    };
  });
}

/** tokenizer_config stores special tokens as strings or as `{ content: ... }` objects. */
function tokenString(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "object" && v !== null && typeof (v as Json).content === "string")
    return (v as Json).content as string;
  return undefined;
}

function pickTemplate(files: ChatTokenizerFiles, path?: string): string {
  if (files.chatTemplateJinja !== undefined) return files.chatTemplateJinja;
  const t = files.tokenizerConfig.chat_template;
  if (typeof t === "string") return t;
  if (Array.isArray(t)) {
    const named = t.find((x: unknown) => (x as Json | null)?.name === "default") as Json | undefined;
    if (typeof named?.template === "string") return named.template;
  }
  throw new ModelFileError(
    "chat_template_invalid",
    "no chat template (chat_template.jinja or tokenizer_config.chat_template)",
    path,
  );
}

function containsByteLevel(node: unknown): boolean {
  if (typeof node !== "object" || node === null) return false;
  if ((node as Json).type === "ByteLevel") return true;
  return Object.values(node as Json).some((v) => (Array.isArray(v) ? v.some(containsByteLevel) : containsByteLevel(v)));
}

export function createChatTokenizer(files: ChatTokenizerFiles, path?: string): ChatTokenizer {
  const fail = (why: string) => new ModelFileError("tokenizer_invalid", why, path);
  const { tokenizerJson, tokenizerConfig } = files;
  const added = addedTokens(tokenizerJson, path);
  let tokenizer: Tokenizer;
  let contentTokenizer: Tokenizer;
  try {
    tokenizer = new Tokenizer(tokenizerJson, tokenizerConfig);
    contentTokenizer = new Tokenizer(
      { ...tokenizerJson, added_tokens: added.filter((t) => !t.special) },
      tokenizerConfig,
    );
  } catch (cause) {
    throw new ModelFileError("tokenizer_invalid", "tokenizer.json is not loadable", path, { cause });
  }
  const specialTokens = new Map(added.filter((t) => t.special).map((t) => [t.content, t.id] as const));
  const idOf = (key: string): number | undefined => {
    const s = tokenString(tokenizerConfig[key]);
    return s === undefined ? undefined : tokenizer.token_to_id(s);
  };
  const generationEos = files.generationConfig?.eos_token_id;
  const generationEosIds = (Array.isArray(generationEos) ? generationEos : [generationEos]).filter(
    (x): x is number => typeof x === "number",
  );
  const eosTokenId = idOf("eos_token") ?? generationEosIds[0];
  if (eosTokenId === undefined) throw fail("no eos_token in tokenizer_config.json or generation_config.json");
  const genPad = files.generationConfig?.pad_token_id;
  const padTokenId = idOf("pad_token") ?? (typeof genPad === "number" ? genPad : eosTokenId);

  const templateSource = pickTemplate(files, path);
  let chatTemplate: Template;
  try {
    chatTemplate = new Template(templateSource);
  } catch (cause) {
    throw new ModelFileError("chat_template_invalid", "chat template does not parse", path, { cause });
  }
  const templateContext: Json = {};
  for (const key of ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"]) {
    const s = tokenString(tokenizerConfig[key]);
    if (s !== undefined) templateContext[key] = s;
  }
  let maxId = -1;
  for (const id of tokenizer.get_vocab(true).values()) maxId = Math.max(maxId, id);
  return {
    tokenizer,
    contentTokenizer,
    specialTokens,
    specialIds: new Set(specialTokens.values()),
    addedTokenContents: new Set(added.map((t) => t.content)),
    stripLeft: new Set(added.filter((t) => t.lstrip).map((t) => t.content)),
    stripRight: new Set(added.filter((t) => t.rstrip).map((t) => t.content)),
    endOfTurnIds: new Set([eosTokenId, ...generationEosIds]),
    eosTokenId,
    padTokenId,
    byteLevel: containsByteLevel(tokenizerJson.pre_tokenizer) || containsByteLevel(tokenizerJson.decoder),
    vocabSize: maxId + 1,
    chatTemplate,
    templateContext,
  };
}
