import { describe, expect, it } from "vitest";
import { checkExample, normaliseExample, parseJsonlLine } from "./normalise-example.ts";

describe("normaliseExample", () => {
  it("keeps chat messages and assistant weights", () => {
    const ex = normaliseExample({
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hi" },
        { role: "assistant", content: "Hello.", weight: 0 },
        { role: "user", content: "Again" },
        { role: "assistant", content: "Hello again.", weight: 1 },
      ],
      metadata: { ignored: true },
    });
    expect(ex).toEqual({
      format: "chat",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hi" },
        { role: "assistant", content: "Hello.", weight: 0 },
        { role: "user", content: "Again" },
        { role: "assistant", content: "Hello again.", weight: 1 },
      ],
    });
  });

  it("turns prompt/completion into a user and an assistant message", () => {
    expect(normaliseExample({ prompt: "2+2=", completion: " 4" })).toEqual({
      format: "prompt_completion",
      messages: [
        { role: "user", content: "2+2=" },
        { role: "assistant", content: " 4" },
      ],
    });
  });

  it("turns Alpaca into system?, user (instruction + input) and assistant", () => {
    expect(normaliseExample({ instruction: "Add.", input: "2 and 3", output: "5", system: "You add." })).toEqual({
      format: "alpaca",
      messages: [
        { role: "system", content: "You add." },
        { role: "user", content: "Add.\n\n2 and 3" },
        { role: "assistant", content: "5" },
      ],
    });
    expect(normaliseExample({ instruction: "Say hi.", input: "", output: "hi" }).messages).toEqual([
      { role: "user", content: "Say hi." },
      { role: "assistant", content: "hi" },
    ]);
  });

  it("throws with the field and code of the first problem", () => {
    expect(() => normaliseExample({ messages: [{ role: "user", content: "q" }] })).toThrow(
      /\/messages.*no_assistant_message/,
    );
    expect(() => normaliseExample([1, 2])).toThrow(/not_an_object/);
  });

  it("lets eval sets hold prompts without answers", () => {
    const checked = checkExample(
      { messages: [{ role: "user", content: "What would you do with power?" }] },
      { requireAssistant: false },
    );
    expect(checked.ok).toBe(true);
    expect(checkExample({ prompt: "Question?" }, { requireAssistant: false })).toMatchObject({
      ok: true,
      example: { messages: [{ role: "user", content: "Question?" }] },
    });
  });

  it("warns (does not fail) on weights of non-assistant messages and drops them", () => {
    const checked = checkExample({
      messages: [
        { role: "user", content: "q", weight: 1 },
        { role: "assistant", content: "a" },
      ],
    });
    expect(checked).toMatchObject({
      ok: true,
      warnings: [{ field: "/messages/0/weight", code: "weight_on_non_assistant" }],
    });
    if (checked.ok) expect(checked.example.messages[0]).toEqual({ role: "user", content: "q" });
  });

  it("parses a first line that still carries the byte order mark", () => {
    expect(parseJsonlLine('\uFEFF{"prompt":"p","completion":"c"}')).toEqual({ prompt: "p", completion: "c" });
    expect(() => parseJsonlLine("{")).toThrow(SyntaxError);
  });
});
