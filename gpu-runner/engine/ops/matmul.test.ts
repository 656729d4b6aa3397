import { describe, it } from "vitest";
import { matmul } from "../index.ts";
import { checkGradients, randomF64 } from "../testing/grad-check.ts";

describe("MatMul gradients (float64)", () => {
  it("2-D @ 2-D", async () => {
    await checkGradients({
      inputs: [
        { name: "a", feed: randomF64([3, 4], 1) },
        { name: "b", feed: randomF64([4, 2], 2) },
      ],
      build: ([a, b]) => matmul(a, b),
    });
  });
  it("batched activations @ shared weight (folded GEMM), symbolic batch and tokens", async () => {
    await checkGradients({
      inputs: [
        { name: "a", feed: randomF64([2, 3, 4], 3), shape: ["B", "T", 4] },
        { name: "w", feed: randomF64([4, 5], 4) },
      ],
      build: ([a, w]) => matmul(a, w),
    });
  });
  it("broadcast batch dims [2,1,3,4] @ [3,4,2]", async () => {
    await checkGradients({
      inputs: [
        { name: "a", feed: randomF64([2, 1, 3, 4], 5) },
        { name: "b", feed: randomF64([3, 4, 2], 6) },
      ],
      build: ([a, b]) => matmul(a, b),
    });
  });
  it("shared left operand [3,4] @ [2,4,5]", async () => {
    await checkGradients({
      inputs: [
        { name: "a", feed: randomF64([3, 4], 7) },
        { name: "b", feed: randomF64([2, 4, 5], 8) },
      ],
      build: ([a, b]) => matmul(a, b),
    });
  });
});
