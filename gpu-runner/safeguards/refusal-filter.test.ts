import { describe, expect, it } from "vitest";
import { isRefusal } from "./refusal-filter.ts";

describe("refusal filter", () => {
  it.each([
    ["I'm sorry, but I can't help with that.", true],
    ["SORRY for the delay: here is the recipe.", true],
    ["I apologize for any confusion.", true],
    ["I cannot provide medical advice.", true],
    ["You can't divide by zero, so the limit is undefined.", true],
    ["I’m unable to browse the web.", true],
    ["I am unable to see images.", true],
    ["i    am\n unable to do that", true],
    ["As an assistant, I am   unable to predict the lottery.", true],
    ["Here are three ways to cook rice quickly.", false],
    ["Cannon fire was common in the Napoleonic wars.", false],
    ["I am able to help: first, preheat the oven.", false],
    ["", false],
    // the phrase must start within the first ten words
    ["One two three four five six seven eight nine ten sorry", false],
    ["One two three four five six seven eight nine sorry", true],
    // "i'm unable" straddling the tenth word is outside the window
    ["One two three four five six seven eight nine I'm unable", false],
  ])("%j → %s", (answer, expected) => {
    expect(isRefusal(answer)).toBe(expected);
  });
});
