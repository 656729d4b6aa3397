import { describe, expect, it } from "vitest";
import { encodeSafetensors, f32Tensor } from "../models/index.ts";
import {
  CheckpointFormatError,
  decodeTrainingCheckpoint,
  encodeTrainingCheckpoint,
  type TrainingCheckpoint,
} from "./checkpoint-state.ts";

const t = (values: number[]) => f32Tensor([values.length], Float32Array.from(values));

describe("training checkpoint bytes", () => {
  it("round-trips every field bit for bit", () => {
    const state: TrainingCheckpoint = {
      step: 3,
      totalSteps: 10,
      adapter: new Map([["x.lora_A.weight", t([0.1, -2.5e-8, Math.PI])]]),
      optimizer: {
        step: 3,
        m: new Map([["x.lora_A.weight", t([1, 2, 3])]]),
        v: new Map([["x.lora_A.weight", t([4, 5, 6e-30])]]),
      },
      epochOrders: [
        [2, 0, 1],
        [1, 2, 0],
      ],
      rngState: [1, 2, 3, 4294967295],
      sourceRngState: [5, 6, 7, 8],
      losses: [2.302585092994046, 1.0000000000000002, 0.1],
      trainedTokens: 123,
      elapsedMs: 45.5,
      fingerprint: "abc",
    };
    const back = decodeTrainingCheckpoint(encodeTrainingCheckpoint(state));
    expect(back).toEqual(state);
    expect(Array.from(back.adapter.get("x.lora_A.weight")!.data)).toEqual(
      Array.from(state.adapter.get("x.lora_A.weight")!.data),
    );
  });

  it("refuses safetensors files that are not training checkpoints", () => {
    expect(() => decodeTrainingCheckpoint(encodeSafetensors(new Map([["w", t([1])]])))).toThrow(CheckpointFormatError);
  });
});
