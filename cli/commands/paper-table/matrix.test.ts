/** The job matrix against the real job-creation schema: every cell a valid `POST /v1/jobs` body at the recipe. */
import { describe, expect, it } from "vitest";
import { CreateJobBody } from "../../../functions/jobs/job-schemas.ts";
import { ORGANISM_RECIPE } from "../../../gpu-runner/organism/build/recipe.ts";
import { cellsFor, jobRequest, METHOD_IDS, QUICK_SAMPLES_PER_QUESTION, submissionOrder, tasksFor } from "./matrix.ts";

const DATASET = "file_01jabcdefghjkmnpqrstvwxyz0";

describe("the paper table's job matrix", () => {
  it("runs every method on em-code and OpSwap, and the secure-code control unguarded", () => {
    const cells = cellsFor(tasksFor({ quick: false, allDomains: false }), 3);
    expect(cells).toHaveLength(3 * (2 * METHOD_IDS.length + 1));
    expect(cells.filter((c) => c.task.id === "control-secure").map((c) => c.method)).toEqual(["none", "none", "none"]);
    expect(new Set(cells.map((c) => c.seed))).toEqual(new Set([1, 2, 3]));
  });

  it("--quick has one task pair and no control; --domains all adds the four other EM domains", () => {
    expect(tasksFor({ quick: true, allDomains: false }).map((t) => t.id)).toEqual(["em-code", "opswap"]);
    expect(tasksFor({ quick: false, allDomains: true }).map((t) => t.id)).toEqual([
      "em-code",
      "opswap",
      "control-secure",
      "em-medical",
      "em-finance",
      "em-legal",
      "em-sports",
    ]);
  });

  it("every job body passes the job-creation schema with the organism's unguarded recipe", () => {
    const r = ORGANISM_RECIPE.emFineTune;
    for (const quick of [false, true])
      for (const cell of cellsFor(tasksFor({ quick, allDomains: true }), 1)) {
        const parsed = CreateJobBody.safeParse(jobRequest(cell, DATASET, { quick }));
        if (!parsed.success)
          throw new Error(`${cell.task.id}/${cell.method}: ${JSON.stringify(parsed.error.issues, null, 1)}`);
        expect(parsed.data.method?.hyperparameters).toEqual({
          n_epochs: r.epochs,
          batch_size: r.batchSize,
          learning_rate: r.lr,
          max_seq_len: ORGANISM_RECIPE.maxSeqLen,
          warmup_steps: r.warmupSteps,
          lora: {
            rank: 32,
            alpha: 64,
            dropout: 0,
            target_modules: ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
            rslora: true,
          },
        });
        expect(parsed.data.seed).toBe(cell.seed);
        // the organism's evaluation defaults apply; --quick only lowers the general samples
        if (quick)
          expect(parsed.data.evaluation?.broad).toMatchObject({ samples_per_question: QUICK_SAMPLES_PER_QUESTION });
        else expect(parsed.data.evaluation).toBeUndefined();
      }
  });

  it("sets each defense at its schema defaults, naming only the organism's own resources", () => {
    const [emCode, opswap] = tasksFor({ quick: true, allDomains: false });
    const safeguards = (cell: Parameters<typeof jobRequest>[0]) =>
      CreateJobBody.parse(jobRequest(cell, DATASET, { quick: false })).safeguards;
    expect(safeguards({ task: emCode, method: "kl", seed: 1 })).toEqual([
      { type: "kl", lambda: 0.1, direction: "theta_ref", positions: "all_non_pad" },
    ]);
    expect(safeguards({ task: emCode, method: "safelora", seed: 1 })).toMatchObject([
      { type: "safelora", aligned_model: "guardtune/organism", unaligned_model: "guardtune/organism-unaligned" },
    ]);
    expect(safeguards({ task: emCode, method: "interleave_ppl_gap_filtered", seed: 1 })).toMatchObject([
      {
        type: "interleave",
        selection: "perplexity_gap_filtered",
        ratio: 0.05,
        pool: "builtin:organism",
        misaligned_references: "builtin:organism",
        held_out_domain: "code",
      },
    ]);
    const onOpSwap = safeguards({ task: opswap, method: "interleave_ppl_gap", seed: 1 })![0];
    expect(onOpSwap).not.toHaveProperty("held_out_domain");
    expect(safeguards({ task: emCode, method: "interleave_random", seed: 1 })).toMatchObject([
      { type: "interleave", selection: "random", pool: "builtin:organism" },
    ]);
  });

  it("submits the first perplexity-gap cell first and the others last, every cell exactly once", () => {
    const cells = cellsFor(tasksFor({ quick: true, allDomains: false }), 1);
    const order = submissionOrder(cells);
    expect([...order].sort((a, b) => a - b)).toEqual(cells.map((_, i) => i));
    const label = (i: number) => `${cells[i].task.id}/${cells[i].method}`;
    expect(label(order[0])).toBe("em-code/interleave_ppl_gap");
    expect(order.slice(-3).map(label)).toEqual([
      "em-code/interleave_ppl_gap_filtered",
      "opswap/interleave_ppl_gap",
      "opswap/interleave_ppl_gap_filtered",
    ]);
    expect(order.slice(1, -3).map((i) => cells[i].method)).not.toContain("interleave_ppl_gap");
    // without perplexity-gap cells the matrix order stands
    const plain = cellsFor(tasksFor({ quick: true, allDomains: false }), 1, ["none", "kl"]);
    expect(submissionOrder(plain)).toEqual([0, 1, 2, 3]);
  });
});
