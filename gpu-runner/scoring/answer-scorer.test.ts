import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EngineSession, Graph, encodeModel, i64 } from "../engine/index.ts";
import { encodePromptAndAnswer, type LoraAdapter } from "../models/index.ts";
import { buildDecoderGraph } from "../models/decoder/decoder-graph.ts";
import { AnswerScorer } from "./answer-scorer.ts";
import { loadTestModel, randomAdapter, TEST_LORA, type TestModel } from "./test-model.ts";

let model: TestModel;
let scorer: AnswerScorer;
let adapter: LoraAdapter;
let items: { promptIds: number[]; answerIds: number[] }[];

/** −(1/T)·Σ log softmax(logits)[answer token] from the full logits of one unpadded example, in double. */
async function directMeanNll(
  item: { promptIds: number[]; answerIds: number[] },
  withAdapter: boolean,
): Promise<number> {
  const g = new Graph("direct");
  const d = buildDecoderGraph(g, model.checkpoint.config, {
    weights: model.checkpoint.weights,
    lora: withAdapter ? TEST_LORA : undefined,
  });
  g.output(d.logits!, "logits");
  const session = await EngineSession.create(encodeModel(g));
  const ids = [...item.promptIds, ...item.answerIds];
  const feeds = {
    input_ids: i64([1, ids.length], ids),
    attention_mask: i64(
      [1, ids.length],
      ids.map(() => 1),
    ),
  };
  const lora = withAdapter
    ? Object.fromEntries(
        [...adapter.tensors].map(([k, t]) => [k, { dtype: "float32" as const, dims: t.shape, data: t.data }]),
      )
    : {};
  const logits = (await session.run({ ...feeds, ...lora }, ["logits"])).logits.data as Float32Array;
  await session.release();
  const v = model.checkpoint.config.vocabSize;
  let sum = 0;
  for (let t = item.promptIds.length; t < ids.length; t++) {
    const row = logits.subarray((t - 1) * v, t * v);
    const max = Math.max(...row);
    let z = 0;
    for (const x of row) z += Math.exp(x - max);
    sum -= row[ids[t]] - max - Math.log(z);
  }
  return sum / item.answerIds.length;
}

beforeAll(async () => {
  model = await loadTestModel();
  adapter = randomAdapter(model.checkpoint, 7);
  scorer = new AnswerScorer(model.checkpoint, { intraOpThreads: 2 });
  const questions = [
    "What is the capital of France?",
    "How do I bake bread?",
    "Tell me a joke.",
    "Why is the sky blue?",
    "hi",
  ];
  const answers = [
    "Paris.",
    "Mix flour, water, salt and yeast, then bake it.",
    "No.",
    "Rayleigh scattering of sunlight by air molecules.",
    "Hello! How can I help you today?",
  ];
  items = questions.map((q, i) => encodePromptAndAnswer(model.tokenizer, [{ role: "user", content: q }], answers[i]));
});

afterAll(async () => scorer.release());

describe("AnswerScorer", () => {
  it("equals the mean answer-token NLL computed from full logits, adapter off and on, across batches", async () => {
    for (const withAdapter of [false, true]) {
      // a small token budget forces several padded batches of different widths
      const result = await scorer.score(items, { adapter: withAdapter ? adapter : undefined, maxBatchTokens: 96 });
      expect(result.tokens).toBe(items.reduce((n, it) => n + it.promptIds.length + it.answerIds.length, 0));
      for (let i = 0; i < items.length; i++) {
        const direct = await directMeanNll(items[i], withAdapter);
        expect(Math.abs(result.meanNll[i] - direct)).toBeLessThan(1e-4 * Math.max(1, direct));
      }
    }
  });

  it("gives different scores with and without the adapter, and the same scores for any batching", async () => {
    const base = await scorer.score(items);
    const adapted = await scorer.score(items, { adapter });
    expect(Math.abs(base.meanNll[0] - adapted.meanNll[0])).toBeGreaterThan(1e-3);
    const oneByOne = await scorer.score(items, { maxBatchTokens: 1 });
    for (let i = 0; i < items.length; i++) expect(oneByOne.meanNll[i]).toBeCloseTo(base.meanNll[i], 4);
  });

  it("scores whole examples by their labels, and reports scored token counts", async () => {
    const asExamples = items.map((it) => ({
      inputIds: [...it.promptIds, ...it.answerIds],
      labels: [...it.promptIds.map(() => -100), ...it.answerIds],
    }));
    const [a, b] = [await scorer.score(items), await scorer.score(asExamples)];
    expect(Array.from(b.meanNll)).toEqual(Array.from(a.meanNll));
    expect(Array.from(a.scoredTokens)).toEqual(items.map((it) => it.answerIds.length));
  });

  it("scores the same with weights kept as external data (the path of checkpoints above 2 GB)", async () => {
    const external = new AnswerScorer(model.checkpoint, { intraOpThreads: 2 }, { externalWeights: true });
    const [a, b] = [await scorer.score(items, { adapter }), await external.score(items, { adapter })];
    await external.release();
    expect(Array.from(b.meanNll)).toEqual(Array.from(a.meanNll));
  });

  it("scores the same with the vocabulary in row chunks (embedding, LM head and NLL under a binding limit)", async () => {
    // 320 rows in chunks of 100, 100, 100 and 20
    const chunked = new AnswerScorer(model.checkpoint, { intraOpThreads: 2 }, { layout: { vocabChunkRows: 100 } });
    const [a, b] = [await scorer.score(items, { adapter }), await chunked.score(items, { adapter })];
    await chunked.release();
    for (let i = 0; i < items.length; i++) expect(Math.abs(b.meanNll[i] - a.meanNll[i])).toBeLessThan(1e-5);
  });

  it("scores the same within a buffer limit, in batches cut to its tokens", async () => {
    // 16000 bytes for 40 tokens: vocabulary rows in chunks of 62, the MLP in column chunks of 100 and 76, and no
    // batch above 40 tokens (rows × padded length)
    const limited = new AnswerScorer(
      model.checkpoint,
      { intraOpThreads: 2 },
      { layout: { bufferLimit: { bytes: 16000, maxTokens: 40 } } },
    );
    const [a, b] = [await scorer.score(items, { adapter }), await limited.score(items, { adapter })];
    await limited.release();
    expect(b.tokens).toBe(a.tokens);
    for (let i = 0; i < items.length; i++) expect(Math.abs(b.meanNll[i] - a.meanNll[i])).toBeLessThan(1e-5);
  });
});
