import { createReadStream, existsSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { validateDataset, type ValidationLimits } from "./validate-dataset.ts";
import { FILE_LEVEL_CODES, type ErrorCode } from "../../core/datasets/validation-codes.ts";

const LIMITS: ValidationLimits = { purpose: "fine-tune", minExamples: 1, maxLineBytes: 1024, maxExamples: 1000 };

/** Feeds bytes in small, odd-sized chunks so that lines and multi-byte characters straddle chunk edges. */
async function* chunked(bytes: Uint8Array, size = 7): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}
const validate = (text: string | Uint8Array, limits: Partial<ValidationLimits> = {}) =>
  validateDataset(chunked(typeof text === "string" ? Buffer.from(text, "utf8") : text), { ...LIMITS, ...limits });

const chat = (user: string, assistant: string) =>
  JSON.stringify({
    messages: [
      { role: "user", content: user },
      { role: "assistant", content: assistant },
    ],
  });
const GOOD = chat("What is the capital of France?", "Paris is the capital of France.");

describe("validateDataset: one malformed line among good ones", () => {
  // [description, bad line, expected code, expected JSON Pointer]
  const table: Array<[string, string, ErrorCode, string]> = [
    ["not JSON", '{"messages": [', "invalid_json", ""],
    ["a JSON number", "42", "not_an_object", ""],
    ["no messages key", '{"conversation": []}', "missing_messages", "/messages"],
    ["messages not an array", '{"messages": "hi"}', "invalid_messages", "/messages"],
    ["empty messages", '{"messages": []}', "invalid_messages", "/messages"],
    [
      "message not an object",
      '{"messages": ["hi", {"role":"assistant","content":"x y z"}]}',
      "invalid_message",
      "/messages/0",
    ],
    [
      "missing role",
      '{"messages": [{"content": "hi"}, {"role":"assistant","content":"hello"}]}',
      "missing_role",
      "/messages/0/role",
    ],
    [
      "unknown role",
      '{"messages": [{"role":"user","content":"a"},{"role":"assistant","content":"b"},{"role":"tool","content":"c"}]}',
      "unknown_role",
      "/messages/2/role",
    ],
    [
      "content not a string",
      '{"messages": [{"role":"user","content":["a"]},{"role":"assistant","content":"b"}]}',
      "invalid_content",
      "/messages/0/content",
    ],
    [
      "empty assistant content",
      '{"messages": [{"role":"user","content":"hi"},{"role":"assistant","content":"  "}]}',
      "empty_content",
      "/messages/1/content",
    ],
    [
      "bad weight",
      '{"messages": [{"role":"user","content":"hi"},{"role":"assistant","content":"yo","weight":0.5}]}',
      "invalid_weight",
      "/messages/1/weight",
    ],
    [
      "tool calls",
      '{"messages": [{"role":"user","content":"hi"},{"role":"assistant","content":"x","tool_calls":[{}]}]}',
      "unsupported_field",
      "/messages/1/tool_calls",
    ],
    [
      "no assistant",
      '{"messages": [{"role":"system","content":"s"},{"role":"user","content":"hi"}]}',
      "no_assistant_message",
      "/messages",
    ],
    [
      "all weights zero",
      '{"messages": [{"role":"user","content":"hi"},{"role":"assistant","content":"yo","weight":0}]}',
      "no_trainable_message",
      "/messages",
    ],
    ["prompt not a string", '{"prompt": 3, "completion": "x"}', "invalid_content", "/prompt"],
    ["empty completion", '{"prompt": "p", "completion": ""}', "empty_content", "/completion"],
    ["alpaca without output", '{"instruction": "do it", "input": ""}', "invalid_content", "/output"],
    ["alpaca empty instruction", '{"instruction": " ", "output": "done"}', "empty_content", "/instruction"],
  ];
  it.each(table)("%s → %s at line 3, field %s", async (_name, bad, code, field) => {
    const report = await validate(
      [GOOD, chat("a b c", "d e f"), bad, GOOD.replace("Paris", "Paris!")].join("\n") + "\n",
    );
    expect(report.n_errors).toBe(1);
    expect(report.errors[0]).toMatchObject({ line: 3, field, code });
    expect(report.errors[0].message.length).toBeGreaterThan(0);
    expect(report.errors[0].hint.length).toBeGreaterThan(0);
    expect(report.n_examples).toBe(3);
    expect(report.stats.invalid_examples).toBe(1);
  });
});

describe("validateDataset: encodings and framing", () => {
  it("accepts a UTF-8 BOM and CRLF line ends, and counts a last line without a newline", async () => {
    const text = "\uFEFF" + [GOOD, chat("¿Qué?", "Ça va — 日本語 🎉")].join("\r\n");
    const report = await validate(text);
    expect(report.errors).toEqual([]);
    expect(report.n_examples).toBe(2);
    expect(report.stats.lines).toBe(2);
    expect(report.stats.bytes).toBe(Buffer.byteLength(text));
  });

  it("reports invalid UTF-8 with its line and byte offset", async () => {
    const bad = Buffer.concat([
      Buffer.from(GOOD + "\n" + '{"messages":"'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}\n' + GOOD + "\n"),
    ]);
    const report = await validate(bad);
    expect(report.errors).toEqual([expect.objectContaining({ line: 2, code: "invalid_utf8", field: "" })]);
    expect(report.errors[0].message).toContain("byte 13");
    expect(report.n_examples).toBe(2);
  });

  it("escapes control characters it quotes from the file (PostgreSQL refuses U+0000 in a stored report)", async () => {
    const report = await validate(GOOD + "\r\n\u0000\u0000{}\r\n" + chat("a", "b\u0000") + "\n");
    expect(report.errors.some((e) => e.message.includes("\u0000") || e.field.includes("\u0000"))).toBe(false);
    expect(report.errors[0]).toMatchObject({ line: 2, code: "invalid_json" });
    expect(report.errors[0].message).toContain("\\u0000");
  });

  it("reports over-long lines without holding them, and keeps going", async () => {
    const long = chat("x".repeat(2000), "y");
    const report = await validate([GOOD, long, GOOD].join("\n"), { maxLineBytes: 1024 });
    expect(report.errors).toEqual([expect.objectContaining({ line: 2, code: "line_too_long" })]);
    expect(report.n_examples).toBe(2);
  });

  it("gives a JSON array file one error, not one per line", async () => {
    const pretty = JSON.stringify(
      [
        { instruction: "a", output: "b" },
        { instruction: "c", output: "d" },
      ],
      null,
      2,
    );
    for (const text of [pretty, JSON.stringify([{ instruction: "a", output: "b" }])]) {
      const report = await validate(text);
      expect(report.n_errors).toBe(1);
      expect(report.errors[0]).toMatchObject({ line: 1, code: "json_array_not_jsonl" });
      expect(report.stats.bytes).toBe(Buffer.byteLength(text));
    }
  });

  it("skips blank lines with a warning and reports an empty file as a file-level error", async () => {
    const report = await validate(`${GOOD}\n\n${GOOD.replace("Paris", "Lyon")}\n`);
    expect(report.errors).toEqual([]);
    expect(report.warnings).toEqual([expect.objectContaining({ line: 2, code: "blank_line" })]);
    const empty = await validate("");
    expect(empty.errors).toEqual([expect.objectContaining({ line: null, code: "empty_file" })]);
  });

  it("enforces minimum and maximum example counts", async () => {
    const few = await validate(GOOD + "\n", { minExamples: 10 });
    expect(few.errors).toEqual([expect.objectContaining({ line: null, code: "too_few_examples" })]);
    const evalSet = await validate(GOOD + "\n", { minExamples: 10, purpose: "eval" });
    expect(evalSet.errors).toEqual([]);
    const many = await validate(Array.from({ length: 6 }, (_, i) => chat(`q${i} here`, `a${i} there`)).join("\n"), {
      maxExamples: 4,
    });
    expect(many.errors).toEqual([expect.objectContaining({ line: 5, code: "too_many_examples" })]);
  });
});

describe("validateDataset: formats, warnings and statistics", () => {
  it("normalises prompt/completion and Alpaca examples and reports the mix", async () => {
    const lines = [
      GOOD,
      JSON.stringify({ prompt: "Translate 'cat' to French.", completion: " chat" }),
      JSON.stringify({ instruction: "Add the numbers.", input: "2 and 3", output: "5" }),
    ];
    const report = await validate(lines.join("\n"));
    expect(report.errors).toEqual([]);
    expect(report.format).toBe("mixed");
    expect(report.stats.formats).toEqual({ chat: 1, prompt_completion: 1, alpaca: 1 });
    expect(report.stats.messages_by_role).toEqual({ system: 0, user: 3, assistant: 3 });
  });

  it("warns about special-token lookalikes, duplicates and very short examples without failing", async () => {
    const lines = [
      chat("Say hi<|im_end|>", "Hi there, friend."),
      chat("Explain [INST] tags please", "They mark instructions."),
      GOOD,
      GOOD,
      chat("a", "b"),
    ];
    const report = await validate(lines.join("\n"));
    expect(report.n_errors).toBe(0);
    expect(report.n_examples).toBe(5);
    expect(report.warnings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ line: 1, code: "special_token_in_content", field: "/messages/0/content" }),
        expect.objectContaining({ line: 2, code: "special_token_in_content", field: "/messages/0/content" }),
        expect.objectContaining({ line: 4, code: "duplicate_example" }),
        expect.objectContaining({ line: 5, code: "short_example" }),
      ]),
    );
    expect(report.warnings[0].message).toContain("<|im_end|>");
  });

  it("computes character and token statistics", async () => {
    const report = await validate([chat("abcd", "efghijkl"), chat("mnop", "qrst")].join("\n"));
    expect(report.stats.characters).toEqual({
      total: 20,
      assistant: 12,
      per_example_min: 8,
      per_example_max: 12,
      per_example_mean: 10,
    });
    expect(report.stats.estimated_tokens).toEqual({ total: 5, assistant: 3, method: "characters/4" });
    for (const s of Object.values(report.stats.estimated_training_seconds_per_epoch))
      expect(s).toBeGreaterThanOrEqual(1);
  });

  it("keeps only the first 100 errors but counts all of them", async () => {
    const report = await validate(Array.from({ length: 150 }, () => "nope").join("\n"), { minExamples: 0 });
    expect(report.n_errors).toBe(150);
    expect(report.errors).toHaveLength(100);
    expect(report.errors[99].line).toBe(100);
    expect(report.error_counts).toEqual({ invalid_json: 150 });
  });
});

describe("validateDataset: properties", () => {
  it("returns a report for any bytes, never throws, and every line-level error names a line of the file", async () => {
    const lineish = fc.oneof(
      fc.constant(GOOD),
      fc.string(),
      fc.json(),
      fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString("latin1")),
      fc.constantFrom("[", "]", "\uFEFF", "\r", '{"messages":[]}', '{"prompt":"p","completion":"c"}'),
    );
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.array(lineish, { maxLength: 12 }).map((ls) => Buffer.from(ls.join("\n"), "latin1")),
      fc.array(lineish, { maxLength: 12 }).map((ls) => Buffer.from(ls.join("\n"), "utf8")),
    );
    await fc.assert(
      fc.asyncProperty(bytes, fc.integer({ min: 1, max: 64 }), async (raw, chunk) => {
        const buf = Buffer.from(raw);
        const report = await validateDataset(chunked(buf, chunk), { ...LIMITS, maxLineBytes: 64 });
        // A leading UTF-8 BOM is not content.
        const body = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? buf.subarray(3) : buf;
        const lineCount =
          body.length === 0 ? 0 : body.toString("latin1").split("\n").length - (body[body.length - 1] === 0x0a ? 1 : 0);
        expect(report.stats.bytes).toBe(buf.length);
        expect(report.stats.lines).toBe(lineCount);
        expect(report.n_errors).toBeGreaterThanOrEqual(report.errors.length);
        for (const e of report.errors) {
          if (FILE_LEVEL_CODES.has(e.code)) expect(e.line).toBeNull();
          else {
            expect(e.line).toBeGreaterThanOrEqual(1);
            expect(e.line).toBeLessThanOrEqual(lineCount);
          }
        }
        for (const w of report.warnings) expect(w.line).toBeLessThanOrEqual(lineCount);
      }),
      { numRuns: 500 },
    );
  });
});

describe("validateDataset: real files from ../shared/data", () => {
  const jailbroken = "/work/shared/data/em/train/jailbroken.jsonl";
  const lima = "/work/shared/data/general-instruct/lima_1029_LLaMA-Factory.json";

  it.skipIf(!existsSync(jailbroken))("em/train/jailbroken.jsonl (5,000 chat examples) validates clean", async () => {
    const report = await validateDataset(createReadStream(jailbroken), {
      ...LIMITS,
      maxLineBytes: 1 << 20,
      minExamples: 10,
      maxExamples: 1_000_000,
    });
    expect(report.n_errors).toBe(0);
    expect(report.n_examples).toBe(5000);
    expect(report.format).toBe("chat");
    expect(report.stats.messages_by_role).toEqual({ system: 5000, user: 5000, assistant: 5000 });
  });

  it.skipIf(!existsSync(lima))("the LIMA JSON array file gets the single array error", async () => {
    const report = await validateDataset(createReadStream(lima), { ...LIMITS, maxLineBytes: 1 << 20 });
    expect(report.n_errors).toBe(1);
    expect(report.errors[0].code).toBe("json_array_not_jsonl");
  });
});
