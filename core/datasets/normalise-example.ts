import type { ErrorCode, ReportIssue, WarningCode } from "./validation-codes.ts";

import { CHAT_ROLES, type ChatMessage, type ChatRole } from "../chat/chat-message.ts";

export { CHAT_ROLES, type ChatMessage, type ChatRole } from "../chat/chat-message.ts";

/** The formats an example line may have; all normalise to chat messages. */
export type ExampleFormat = "chat" | "prompt_completion" | "alpaca";

export interface NormalisedExample {
  format: ExampleFormat;
  messages: ChatMessage[];
}

export type ExampleIssue = Omit<ReportIssue<ErrorCode>, "line">;
export type ExampleWarning = Omit<ReportIssue<WarningCode>, "line">;

export interface CheckExampleOptions {
  /** Eval sets may hold prompts only; training sets need an assistant answer. */
  requireAssistant: boolean;
}

export type CheckedExample =
  { ok: true; example: NormalisedExample; warnings: ExampleWarning[] } | { ok: false; issues: ExampleIssue[] };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** JSON Pointer escaping (RFC 6901) of one reference token. */
const token = (s: string | number) => String(s).replace(/~/g, "~0").replace(/\//g, "~1");

const issue = (field: string, code: ErrorCode, message: string, hint: string): ExampleIssue => ({
  field,
  code,
  message,
  hint,
});

/**
 * Checks one parsed JSON line and normalises it to chat messages. Accepted shapes:
 * - chat: `{ messages: [{ role, content, weight? }] }` (OpenAI fine-tuning format);
 * - prompt/completion: `{ prompt, completion }` → user prompt, assistant completion;
 * - Alpaca: `{ instruction, input?, output, system? }` → optional system, user `instruction\n\ninput`, assistant output.
 * Pure and deterministic: the validator and the runner normalise with this same function.
 */
export function checkExample(value: unknown, opts: CheckExampleOptions = { requireAssistant: true }): CheckedExample {
  if (!isObject(value)) {
    const kind = Array.isArray(value) ? "an array" : value === null ? "null" : `a ${typeof value}`;
    return {
      ok: false,
      issues: [
        issue(
          "",
          "not_an_object",
          `Expected a JSON object, got ${kind}.`,
          'Each line must be one object like {"messages": [...]}.',
        ),
      ],
    };
  }
  if ("messages" in value) return checkChat(value.messages, opts);
  if ("prompt" in value || "completion" in value) return checkPromptCompletion(value, opts);
  if ("instruction" in value || "output" in value) return checkAlpaca(value, opts);
  return {
    ok: false,
    issues: [
      issue(
        "/messages",
        "missing_messages",
        `The object has no "messages" field (keys: ${Object.keys(value).slice(0, 8).join(", ") || "none"}).`,
        'Use {"messages": [{"role": "user", "content": "..."}, {"role": "assistant", "content": "..."}]}, or {"prompt", "completion"}, or Alpaca {"instruction", "input", "output"}.',
      ),
    ],
  };
}

/** `checkExample` for callers that already know the line is valid (the runner); throws on an invalid example. */
export function normaliseExample(value: unknown, opts?: CheckExampleOptions): NormalisedExample {
  const checked = checkExample(value, opts);
  if (!checked.ok) {
    const first = checked.issues[0];
    throw new Error(`invalid example at '${first.field}': ${first.code}: ${first.message}`);
  }
  return checked.example;
}

function checkChat(messages: unknown, opts: CheckExampleOptions): CheckedExample {
  if (!Array.isArray(messages) || messages.length === 0) {
    return {
      ok: false,
      issues: [
        issue(
          "/messages",
          "invalid_messages",
          '"messages" must be a non-empty array.',
          "Put the conversation's messages in order in one array.",
        ),
      ],
    };
  }
  const issues: ExampleIssue[] = [];
  const warnings: ExampleWarning[] = [];
  const out: ChatMessage[] = [];
  messages.forEach((m: unknown, i) => {
    const at = `/messages/${i}`;
    if (!isObject(m)) {
      issues.push(
        issue(
          at,
          "invalid_message",
          `Message ${i} is not an object.`,
          'Each message is {"role": ..., "content": ...}.',
        ),
      );
      return;
    }
    for (const field of ["tool_calls", "function_call"] as const) {
      if (field in m && m[field] !== null && m[field] !== undefined) {
        issues.push(
          issue(
            `${at}/${field}`,
            "unsupported_field",
            `"${field}" is not supported.`,
            "Remove tool and function calls; train on plain text messages.",
          ),
        );
      }
    }
    const role = m.role;
    if (role === undefined) {
      issues.push(
        issue(
          `${at}/role`,
          "missing_role",
          `Message ${i} has no "role".`,
          'Set "role" to "system", "user" or "assistant".',
        ),
      );
      return;
    }
    if (typeof role !== "string" || !(CHAT_ROLES as readonly string[]).includes(role)) {
      issues.push(
        issue(
          `${at}/role`,
          "unknown_role",
          `Role ${JSON.stringify(role)} is not allowed.`,
          'Use "system", "user" or "assistant" (tool and function roles are not supported).',
        ),
      );
      return;
    }
    const content = m.content;
    if (typeof content !== "string") {
      issues.push(
        issue(
          `${at}/content`,
          "invalid_content",
          `Message ${i} content must be a string.`,
          'Put the message text in "content" as one string.',
        ),
      );
      return;
    }
    if (content.trim() === "") {
      issues.push(
        issue(
          `${at}/content`,
          "empty_content",
          `Message ${i} (${role}) has empty content.`,
          "Remove the message or give it text.",
        ),
      );
      return;
    }
    const msg: ChatMessage = { role: role as ChatRole, content };
    if ("weight" in m && m.weight !== undefined) {
      if (m.weight !== 0 && m.weight !== 1) {
        issues.push(
          issue(
            `${at}/weight`,
            "invalid_weight",
            `Weight ${JSON.stringify(m.weight)} is not 0 or 1.`,
            "Use 1 to train on the message, 0 to skip it.",
          ),
        );
        return;
      }
      if (role === "assistant") msg.weight = m.weight;
      else {
        warnings.push({
          field: `${at}/weight`,
          code: "weight_on_non_assistant",
          message: `Weight on a ${role} message is ignored.`,
          hint: "Only assistant messages are trained on; remove the weight.",
        });
      }
    }
    out.push(msg);
  });
  if (issues.length > 0) return { ok: false, issues };
  const assistants = out.filter((m) => m.role === "assistant");
  if (opts.requireAssistant && assistants.length === 0) {
    return {
      ok: false,
      issues: [
        issue(
          "/messages",
          "no_assistant_message",
          "The example has no assistant message.",
          "Add the answer you want the model to learn as an assistant message.",
        ),
      ],
    };
  }
  if (opts.requireAssistant && assistants.every((m) => m.weight === 0)) {
    return {
      ok: false,
      issues: [
        issue(
          "/messages",
          "no_trainable_message",
          "Every assistant message has weight 0.",
          "Give at least one assistant message weight 1 (or omit weight).",
        ),
      ],
    };
  }
  return { ok: true, example: { format: "chat", messages: out }, warnings };
}

function stringField(
  value: Record<string, unknown>,
  name: string,
  required: boolean,
  issues: ExampleIssue[],
): string | undefined {
  const v = value[name];
  if (v === undefined && !required) return undefined;
  if (typeof v !== "string") {
    issues.push(
      issue(
        `/${token(name)}`,
        "invalid_content",
        `"${name}" must be a string.`,
        `Put the text of "${name}" in one string.`,
      ),
    );
    return undefined;
  }
  return v;
}

function requireText(name: string, text: string | undefined, issues: ExampleIssue[]): void {
  if (text !== undefined && text.trim() === "") {
    issues.push(
      issue(`/${token(name)}`, "empty_content", `"${name}" is empty.`, `Give "${name}" text or drop the example.`),
    );
  }
}

function checkPromptCompletion(value: Record<string, unknown>, opts: CheckExampleOptions): CheckedExample {
  const issues: ExampleIssue[] = [];
  const prompt = stringField(value, "prompt", true, issues);
  const completion = stringField(value, "completion", opts.requireAssistant, issues);
  requireText("prompt", prompt, issues);
  if (opts.requireAssistant) requireText("completion", completion, issues);
  if (issues.length > 0 || prompt === undefined) return { ok: false, issues };
  const messages: ChatMessage[] = [{ role: "user", content: prompt }];
  if (completion !== undefined && completion.trim() !== "") messages.push({ role: "assistant", content: completion });
  return { ok: true, example: { format: "prompt_completion", messages }, warnings: [] };
}

function checkAlpaca(value: Record<string, unknown>, opts: CheckExampleOptions): CheckedExample {
  const issues: ExampleIssue[] = [];
  const system = stringField(value, "system", false, issues);
  const instruction = stringField(value, "instruction", true, issues);
  const input = stringField(value, "input", false, issues);
  const output = stringField(value, "output", opts.requireAssistant, issues);
  requireText("instruction", instruction, issues);
  if (opts.requireAssistant) requireText("output", output, issues);
  if (issues.length > 0 || instruction === undefined) return { ok: false, issues };
  const messages: ChatMessage[] = [];
  if (system !== undefined && system.trim() !== "") messages.push({ role: "system", content: system });
  const user = input !== undefined && input.trim() !== "" ? `${instruction}\n\n${input}` : instruction;
  messages.push({ role: "user", content: user });
  if (output !== undefined && output.trim() !== "") messages.push({ role: "assistant", content: output });
  return { ok: true, example: { format: "alpaca", messages }, warnings: [] };
}

/**
 * Parses one line of a validated JSONL file as the validator read it: a UTF-8 byte order mark (which a
 * text decoder leaves at the start of the first line) is not content. Throws on invalid JSON.
 */
export function parseJsonlLine(line: string): unknown {
  return JSON.parse(line.charCodeAt(0) === 0xfeff ? line.slice(1) : line);
}
