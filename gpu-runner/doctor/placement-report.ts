/**
 * Where onnxruntime places the nodes of a model's three graphs — training (loss + LoRA gradients), scoring
 * (per-token NLL) and decode (KV-cache generation) — on a given execution provider. Each graph is built as the
 * runner builds it, run once on a small batch with ORT's profiler on, and summarised from the profile.
 */
import { profilePlacement, Rng, type GraphPlacement, type SessionConfig } from "../engine/index.ts";
import { TextGenerator } from "../generation/index.ts";
import { checkpointOptions, decoderBatch, DecoderSession, ropeDtypeOf } from "../models/decoder/index.ts";
import { createLoraAdapter, type DecoderCheckpoint, type LoraSettings } from "../models/index.ts";
import { AnswerScorer } from "../scoring/index.ts";

/** LoRA on every projection, as the paper's runs (rank does not change placement). */
const DOCTOR_LORA: LoraSettings = {
  r: 8,
  alpha: 16,
  useRslora: false,
  dropout: 0,
  targetModules: "all-linear",
  layersToTransform: null,
};

export const GRAPHS = ["training", "scoring", "decode"] as const;

/** A fixed small batch of ids below the vocabulary size: two rows of 16 tokens, the second padded by 4. */
function probeIds(vocab: number): { ids: number[][]; mask: number[][]; labels: number[][] } {
  const row = (seed: number) => Array.from({ length: 16 }, (_, t) => (seed * 31 + t * 7 + 3) % vocab);
  const ids = [row(1), row(2)];
  const mask = [ids[0].map(() => 1), ids[1].map((_, t) => (t < 12 ? 1 : 0))];
  const labels = ids.map((r, b) => r.map((v, t) => (t >= 4 && mask[b][t] === 1 ? v : -100)));
  return { ids, mask, labels };
}

export async function placementReport(
  checkpoint: DecoderCheckpoint,
  session: SessionConfig,
): Promise<GraphPlacement[]> {
  const { config } = checkpoint;
  const adapter = createLoraAdapter(config, DOCTOR_LORA, new Rng(7));
  const params = Object.fromEntries([...adapter.tensors].map(([k, t]) => [k, t.data]));
  const probe = probeIds(config.vocabSize);
  const batch = decoderBatch({ inputIds: probe.ids, attentionMask: probe.mask, labels: probe.labels });

  const training = await profilePlacement("training", session, async (s) => {
    const d = DecoderSession.create(config, { ...checkpointOptions(checkpoint), lora: DOCTOR_LORA, session: s });
    try {
      await d.lossAndGrads(batch, params);
    } finally {
      await d.release();
    }
  });
  const scoring = await profilePlacement("scoring", session, async (s) => {
    const scorer = new AnswerScorer(checkpoint, s);
    try {
      await scorer.score(
        probe.ids.map((ids) => ({ promptIds: ids.slice(0, 8), answerIds: ids.slice(8) })),
        { adapter },
      );
    } finally {
      await scorer.release();
    }
  });
  const decode = await profilePlacement("decode", session, async (s) => {
    const gen = await TextGenerator.create(config, checkpoint.weights, {
      session: s,
      adapter,
      ropeDtype: ropeDtypeOf(checkpoint),
    });
    try {
      await gen.generate([probe.ids[0].slice(0, 6), probe.ids[1].slice(0, 9)], {
        maxNewTokens: 3,
        eosTokenIds: [],
        padTokenId: 0,
      });
    } finally {
      await gen.release();
    }
  });
  return [training, scoring, decode];
}
