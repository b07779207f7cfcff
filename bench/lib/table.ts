/** Markdown tables for the benchmark report. Pure; no I/O. */
import type { Figure } from "./stats";

export type Cell = string | number | undefined;

/** A GitHub-flavoured markdown table; numeric columns are right-aligned. */
export function markdownTable(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const text = (cell: Cell): string => (cell === undefined ? "—" : String(cell).replace(/\|/g, "\\|"));
  const numeric = headers.map(
    (_, column) =>
      rows.some((row) => typeof row[column] === "number") && rows.every((row) => typeof row[column] === "number" || row[column] === undefined),
  );
  const cells = rows.map((row) => headers.map((_, column) => text(row[column])));
  const widths = headers.map((header, column) => Math.max(3, header.length, ...cells.map((row) => (row[column] ?? "").length)));
  const line = (values: readonly string[]) =>
    `| ${values.map((value, column) => (numeric[column] ? value.padStart(widths[column] ?? 3) : value.padEnd(widths[column] ?? 3))).join(" | ")} |`;
  const rule = `| ${widths.map((width, column) => (numeric[column] ? `${"-".repeat(width - 1)}:` : "-".repeat(width))).join(" | ")} |`;
  return [line(headers), rule, ...cells.map(line)].join("\n");
}

/** One row per figure: name, unit, runs, min, median, max (and p99 where measured). */
export function figureRows(figures: Readonly<Record<string, Figure>>): Cell[][] {
  return Object.entries(figures).map(([name, figure]) => [name, figure.unit, figure.runs, figure.min, figure.median, figure.max, figure.p99]);
}

export const FIGURE_HEADERS = ["figure", "unit", "runs", "min", "median", "max", "p99"] as const;
