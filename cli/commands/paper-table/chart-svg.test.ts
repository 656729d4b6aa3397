/** chart.svg: well-formed XML with one bar per method and metric measured, each with its error bar. */
import { describe, expect, it } from "vitest";
import { buildResults } from "./build-results.ts";
import { CHART_BARS, chartSvg } from "./chart-svg.ts";
import { fixtureCells } from "./fixture-results.ts";
import { tasksFor } from "./matrix.ts";

/** Checks tag nesting, quoted attributes and escaped text; returns the element names in document order. */
function wellFormed(xml: string): string[] {
  const names: string[] = [];
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/y;
  let i = 0;
  while (i < xml.length) {
    const lt = xml.indexOf("<", i);
    const text = xml.slice(i, lt === -1 ? xml.length : lt);
    if (/&(?!(amp|lt|gt|quot|#\d+);)/.test(text)) throw new Error(`unescaped & in text near ${i}`);
    if (lt === -1) break;
    tag.lastIndex = lt;
    const m = tag.exec(xml);
    if (!m) throw new Error(`malformed tag at ${lt}: ${xml.slice(lt, lt + 60)}`);
    const [, close, name, , selfClosing] = m;
    if (close) {
      if (stack.pop() !== name) throw new Error(`</${name}> closes the wrong element at ${lt}`);
    } else {
      names.push(name);
      if (!selfClosing) stack.push(name);
    }
    i = tag.lastIndex;
  }
  if (stack.length) throw new Error(`unclosed: ${stack.join(", ")}`);
  return names;
}

const meta = {
  command: "guardtune paper-table",
  startedAt: new Date(0),
  wallSeconds: 1,
  quick: false,
  tasks: tasksFor({ quick: true, allDomains: false }),
};

describe("chartSvg", () => {
  it("is one well-formed svg with one bar per measured method and metric, each with an error bar", () => {
    const svg = chartSvg(buildResults(fixtureCells(), { ...meta, seeds: 3 }));
    const names = wellFormed(svg);
    expect(names[0]).toBe("svg");
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    const bars = [...svg.matchAll(/class="bar" data-method="([a-z_]+)" data-metric="([a-z_]+)"/g)].map(
      (m) => `${m[1]}/${m[2]}`,
    );
    const methods = ["none", "kl", "ldifs", "interleave_random", "interleave_ppl_gap_filtered"];
    expect(bars.sort()).toEqual(methods.flatMap((m) => CHART_BARS.map((b) => `${m}/${b.key}`)).sort());
    expect(svg.match(/class="error"/g)).toHaveLength(bars.length);
    expect(svg).toContain("±1 sd");
  });

  it("uses each run's 95 % interval as the error bar with one seed", () => {
    const oneSeed = fixtureCells().filter((c) => c.cell.seed === 1);
    const svg = chartSvg(buildResults(oneSeed, { ...meta, seeds: 1 }));
    wellFormed(svg);
    expect(svg).toContain("95 % interval");
    expect(svg.match(/class="error"/g)!.length).toBe(svg.match(/class="bar"/g)!.length);
  });
});
