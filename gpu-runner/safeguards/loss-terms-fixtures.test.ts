/**
 * The job-level KL settings reduce to the transformers/peft reference definitions: `{ type: "kl", lambda: 1,
 * positions: "supervised" }` in either direction gives the fixture's KL value and LoRA gradients.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSafeguards } from "../../core/safeguards/safeguard-config.ts";
import { decoderBatch, type DecoderBatch } from "../models/decoder/decoder-batch.ts";
import { DecoderSession } from "../models/decoder/decoder-session.ts";
import {
  loadDecoderCheckpoint,
  loadPeftAdapter,
  readSafetensors,
  type DecoderCheckpoint,
  type LoraAdapter,
} from "../models/index.ts";
import { HAS_HF_ORACLE, HF_ORACLE_SKIP_REASON, oraclePath } from "../models/test-support/fixture-paths.ts";
import { planSafeguards } from "./plan-safeguards.ts";

describe.skipIf(!HAS_HF_ORACLE)(
  `safeguard KL terms vs transformers on tiny-llama ${HAS_HF_ORACLE ? "" : HF_ORACLE_SKIP_REASON}`,
  () => {
    let checkpoint: DecoderCheckpoint;
    let adapter: LoraAdapter;
    let batch: DecoderBatch;
    let oracle: Record<string, number>;
    const sessions: DecoderSession[] = [];

    beforeAll(async () => {
      checkpoint = await loadDecoderCheckpoint(oraclePath("tiny-llama", "model"));
      adapter = await loadPeftAdapter(oraclePath("tiny-llama", "lora-init"), checkpoint.config);
      const inputs = JSON.parse(readFileSync(oraclePath("inputs.json"), "utf8")) as {
        input_ids: number[][];
        attention_mask: number[][];
        labels: number[][];
      };
      batch = decoderBatch({ inputIds: inputs.input_ids, attentionMask: inputs.attention_mask, labels: inputs.labels });
      oracle = JSON.parse(readFileSync(oraclePath("tiny-llama", "reference.json"), "utf8")) as Record<string, number>;
    });
    afterAll(async () => Promise.all(sessions.map((s) => s.release())));

    it.each(["theta_ref", "ref_theta"] as const)("kl %s with supervised positions", async (direction) => {
      const plan = planSafeguards(
        parseSafeguards([{ type: "kl", lambda: 1, direction, positions: "supervised" }]),
        checkpoint.config,
      );
      const s = DecoderSession.create(checkpoint.config, {
        weights: checkpoint.weights,
        lora: adapter.settings,
        objective: { ceWeight: 0, terms: plan.lossTerms },
        session: { intraOpThreads: 1 },
      });
      sessions.push(s);
      const r = await s.lossAndGrads(
        batch,
        Object.fromEntries([...adapter.tensors].map(([k, t]) => [k, t.data.slice()])),
      );
      const key = `kl_${direction}`;
      expect(Math.abs(r.terms[key] - oracle[key]) / oracle[key]).toBeLessThan(1e-5);
      const expected = (await readSafetensors(oraclePath("tiny-llama", `grad_${key}.safetensors`))).tensors;
      for (const [name, t] of expected) {
        const scale = t.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        const diff = t.data.reduce((m, v, i) => Math.max(m, Math.abs(v - r.grads[name][i])), 0);
        expect(diff / scale, name).toBeLessThan(1e-3);
      }
    });
  },
);
