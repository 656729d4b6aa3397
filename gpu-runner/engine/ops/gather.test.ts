import { describe, it } from "vitest";
import { gather, gatherElements, i64 } from "../index.ts";
import { checkGradients, randomF64 } from "../testing/grad-check.ts";

describe("index-op gradients (float64)", () => {
  it("gather axis 0 (embedding) scatter-adds repeated ids", async () => {
    await checkGradients({
      inputs: [
        { name: "w", feed: randomF64([5, 3], 1) },
        { name: "ids", feed: i64([2, 3], [0, 3, 3, 4, 0, 3]), shape: ["B", "T"] },
      ],
      build: ([w, ids]) => gather(w, ids),
    });
  });
  it("gather on a middle axis", async () => {
    await checkGradients({
      inputs: [
        { name: "x", feed: randomF64([2, 4, 3], 2) },
        { name: "ids", feed: i64([3], [1, 1, 3]) },
      ],
      build: ([x, ids]) => gather(x, ids, 1),
    });
  });
  it("gatherElements", async () => {
    await checkGradients({
      inputs: [
        { name: "x", feed: randomF64([2, 4], 3) },
        { name: "ids", feed: i64([2, 2], [1, 1, 0, 3]) },
      ],
      build: ([x, ids]) => gatherElements(x, ids, 1),
    });
  });
});
