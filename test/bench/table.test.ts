import { describe, expect, it } from "vitest";
import { figureRows, markdownTable } from "../../bench/lib/table";

describe("bench markdown tables", () => {
  it("pads columns to their widest cell and right-aligns numeric columns", () => {
    const table = markdownTable(["name", "value"], [["a", 1], ["longer", 22.5]]);

    expect(table.split("\n")).toEqual([
      "| name   | value |",
      "| ------ | ----: |",
      "| a      |     1 |",
      "| longer |  22.5 |",
    ]);
  });

  it("shows a missing cell as a dash and escapes pipes", () => {
    const table = markdownTable(["a", "b"], [["x|y", undefined]]);

    expect(table.split("\n")[2]).toBe("| x\\|y | —   |");
  });

  it("renders one row per figure with its p99 when there is one", () => {
    const rows = figureRows({
      "weightStep.rollgate": { unit: "s", runs: 3, min: 1, median: 2, max: 3, samples: [1, 2, 3] },
      "api.latency": { unit: "ms", runs: 2, min: 5, median: 6, max: 7, p50: 5, p99: 7, samples: [5, 7] },
    });

    expect(rows).toEqual([
      ["weightStep.rollgate", "s", 3, 1, 2, 3, undefined],
      ["api.latency", "ms", 2, 5, 6, 7, 7],
    ]);
  });
});
