/**
 * Just enough of the Dockerfile and .dockerignore formats to check a recipe
 * without a Docker engine: instructions (continuation lines joined, comments
 * and parser directives dropped), their `--flags`, stages, the exec form of
 * ENTRYPOINT/CMD, and which context paths .dockerignore lets through.
 */

export interface Instruction {
  /** Upper case: `FROM`, `RUN`, `COPY`… */
  readonly keyword: string;
  /** `--name=value` flags before the arguments (`--from`, `--platform`, `--mount` may repeat: the last wins). */
  readonly flags: Readonly<Record<string, string>>;
  /** The rest of the instruction, flags removed. */
  readonly args: string;
  /** 1-based line where the instruction starts. */
  readonly line: number;
}

export interface Stage {
  /** The image reference of its FROM. */
  readonly image: string;
  /** The `AS` name, if any. */
  readonly name?: string;
  readonly from: Instruction;
  /** Every instruction after FROM, up to the next stage. */
  readonly instructions: readonly Instruction[];
}

export function parseInstructions(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending: { text: string; line: number } | undefined;
  text.split("\n").forEach((raw, index) => {
    const line = raw.trimEnd();
    if (pending === undefined && (line.trim() === "" || line.trimStart().startsWith("#"))) return;
    if (pending !== undefined && line.trimStart().startsWith("#")) return; // comments inside a continued instruction
    const continued = line.endsWith("\\");
    const body = continued ? line.slice(0, -1) : line;
    pending = pending === undefined ? { text: body, line: index + 1 } : { ...pending, text: `${pending.text} ${body.trim()}` };
    if (continued) return;
    instructions.push(instruction(pending.text.trim(), pending.line));
    pending = undefined;
  });
  if (pending !== undefined) instructions.push(instruction(pending.text.trim(), pending.line));
  return instructions;
}

function instruction(text: string, line: number): Instruction {
  const [keyword = "", ...rest] = text.split(/\s+/);
  const flags: Record<string, string> = {};
  let args = rest.join(" ");
  for (let match = /^--([a-z-]+)=(\S+)\s*/.exec(args); match; match = /^--([a-z-]+)=(\S+)\s*/.exec(args)) {
    flags[match[1] ?? ""] = match[2] ?? "";
    args = args.slice(match[0].length);
  }
  return { keyword: keyword.toUpperCase(), flags, args, line };
}

export function parseStages(text: string): Stage[] {
  const stages: { image: string; name?: string; from: Instruction; instructions: Instruction[] }[] = [];
  for (const item of parseInstructions(text)) {
    if (item.keyword === "FROM") {
      const [image = "", as, name] = item.args.split(/\s+/);
      stages.push({ image, ...(as?.toUpperCase() === "AS" && name ? { name } : {}), from: item, instructions: [] });
    } else {
      const current = stages.at(-1);
      if (current === undefined) throw new Error(`line ${item.line}: ${item.keyword} before the first FROM`);
      current.instructions.push(item);
    }
  }
  return stages;
}

/** The sources and destination of a COPY or ADD (shell form or JSON array form). */
export function copyPaths(item: Instruction): { sources: string[]; destination: string } {
  const words = item.args.startsWith("[") ? (JSON.parse(item.args) as string[]) : item.args.split(/\s+/);
  if (words.length < 2) throw new Error(`line ${item.line}: ${item.keyword} needs a source and a destination`);
  return { sources: words.slice(0, -1), destination: words.at(-1) ?? "" };
}

/** The exec (JSON array) form of ENTRYPOINT or CMD; the shell form is refused, it would not get signals. */
export function execForm(item: Instruction): string[] {
  if (!item.args.startsWith("[")) throw new Error(`line ${item.line}: ${item.keyword} must use the exec form`);
  return JSON.parse(item.args) as string[];
}

/**
 * Whether a context path (relative, `/`-separated) is excluded by .dockerignore
 * patterns: the last pattern matching the path or one of its parents decides,
 * `!` patterns let it through, `*` and `?` stay within a path segment and
 * `**` spans any number of them.
 */
export function isIgnored(path: string, dockerignore: string): boolean {
  const patterns = dockerignore
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
  const prefixes = path
    .replace(/^\.?\/+/, "")
    .replace(/\/+$/, "")
    .split("/")
    .map((_segment, index, segments) => segments.slice(0, index + 1).join("/"));
  let ignored = false;
  for (const pattern of patterns) {
    const negated = pattern.startsWith("!");
    const matcher = patternRegExp(negated ? pattern.slice(1) : pattern);
    if (prefixes.some((prefix) => matcher.test(prefix))) ignored = !negated;
  }
  return ignored;
}

function patternRegExp(pattern: string): RegExp {
  const cleaned = pattern.replace(/^\/+/, "").replace(/\/+$/, "");
  let source = "";
  for (let index = 0; index < cleaned.length; index += 1) {
    const char = cleaned[index] ?? "";
    if (cleaned.startsWith("**/", index)) {
      source += "(?:.*/)?";
      index += 2;
    } else if (cleaned.startsWith("**", index)) {
      source += ".*";
      index += 1;
    } else if (char === "*") source += "[^/]*";
    else if (char === "?") source += "[^/]";
    else source += char.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}
