/** Human-readable output helpers. */

export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(headers), ...rows.map(line)].join("\n");
}

export function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** The dashboard, scrolled to one release's card: `<server>/#release-<id>`. */
export function dashboardLink(baseUrl: string, releaseId: string): string {
  return `${baseUrl.replace(/\/+$/, "")}/#release-${encodeURIComponent(releaseId)}`;
}
