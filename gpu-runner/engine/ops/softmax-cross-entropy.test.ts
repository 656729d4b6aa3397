import { describe, it } from "vitest";
import { i64, mul, reduceSum, add } from "../index.ts";
import { checkGradients, randomF64 } from "../testing/grad-check.ts";
import { softmaxCrossEntropy } from "./softmax-cross-entropy.ts";

describe("SoftmaxCrossEntropyLoss gradient (float64)", () => {
  it("through the per-row loss, with ignored rows", async () => {
    await checkGradients({
      inputs: [
        { name: "scores", feed: randomF64([4, 5], 3), shape: ["N", 5] },
        { name: "labels", feed: i64([4], [1, -100, 4, 0]), shape: ["N"] },
      ],
      // weighted rows, so a wrong per-row factor shows
      build: ([s, y], g) => {
        const { loss } = softmaxCrossEntropy(s, y);
        // the weights follow the scores' dtype: the WebGPU pass rebuilds this check in float32
        const w = [1, 2, 3, 4];
        const data = s.dtype === "float64" ? Float64Array.from(w) : Float32Array.from(w);
        return reduceSum(mul(loss, g.constant({ dtype: s.dtype, dims: [4], data })));
      },
    });
  });

  it("through the loss and the log-probabilities together", async () => {
    await checkGradients({
      inputs: [
        { name: "scores", feed: randomF64([3, 4], 5), shape: ["N", 4] },
        { name: "labels", feed: i64([3], [2, 0, -100]), shape: ["N"] },
      ],
      build: ([s, y]) => {
        const { loss, logProb } = softmaxCrossEntropy(s, y);
        return add(reduceSum(loss), reduceSum(mul(logProb, logProb)));
      },
    });
  });
});
