/**
 * Argument checks shared by the components. Checks run on plain values before
 * anything is created; values that are still `Output`s are checked when they
 * resolve (see {@link ensure}).
 */
import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";

/** A component was given arguments it cannot build from. Lists every problem, not just the first. */
export class ArgumentError extends Error {
  constructor(
    readonly component: string,
    readonly problems: readonly string[],
  ) {
    super(`${component}: ${problems.join("; ")}`);
    this.name = "ArgumentError";
  }
}

/** A check returns `undefined` when the value is fine, else a phrase starting "must ...". */
export type Check<T> = (value: T) => string | undefined;

/** The value of `input` when it is already known, `undefined` for `Output`s and promises. */
export function knownValue<T>(input: pulumi.Input<T> | undefined): T | undefined {
  if (input === undefined || pulumi.Output.isInstance(input) || input instanceof Promise) {
    return undefined;
  }
  return input as T;
}

/** Collects problems with arguments, each naming the argument in backticks. */
export class Problems {
  private readonly messages: string[] = [];

  /** Records a problem with `arg` when its value is known and fails `check`. */
  known<T>(arg: string, input: pulumi.Input<T> | undefined, check: Check<T>): this {
    const value = knownValue(input);
    if (value !== undefined) {
      this.when(arg, check(value));
    }
    return this;
  }

  /**
   * Records a problem for each known value of `values` that its field of
   * `schema` rejects, as `<prefix>.<field>` with the schema's message. Unset
   * values and `Output`s are left to defaults and {@link ensure}.
   */
  settings(prefix: string, schema: z.ZodObject<z.ZodRawShape>, values: object): this {
    for (const [name, field] of Object.entries(schema.shape)) {
      const value = knownValue((values as Readonly<Record<string, unknown>>)[name]);
      const parsed = value === undefined ? undefined : field.safeParse(value);
      if (parsed && !parsed.success) {
        this.when(`${prefix}.${name}`, `${parsed.error.issues[0]?.message ?? "is not valid"} (got ${JSON.stringify(value)})`);
      }
    }
    return this;
  }

  /** Records `problem` for `arg` unless it is `undefined`. */
  when(arg: string, problem: string | undefined): this {
    if (problem !== undefined) {
      this.messages.push(`\`${arg}\` ${problem}`);
    }
    return this;
  }

  /**
   * Runs a child component's validation and keeps its problems (prefixed by
   * the child's name), so a composite fails before creating anything.
   */
  child(validate: () => unknown): this {
    try {
      validate();
    } catch (error) {
      if (!(error instanceof ArgumentError)) {
        throw error;
      }
      this.messages.push(error.message);
    }
    return this;
  }

  get list(): readonly string[] {
    return this.messages;
  }

  /** Throws an {@link ArgumentError} naming `component` when any problem was recorded. */
  throwIfAny(component: string): void {
    if (this.messages.length > 0) {
      throw new ArgumentError(component, this.messages);
    }
  }
}

/**
 * Passes `input` through, checking it once it is known. Plain values were
 * already checked by {@link Problems}; this catches `Output`s, failing the
 * resources that depend on them with a `ResourceError` on `resource`.
 */
export function ensure<T extends string | number>(
  arg: string,
  input: pulumi.Input<T>,
  check: Check<T>,
  resource: pulumi.Resource,
): pulumi.Output<T> {
  return pulumi.output(input).apply((value) => {
    const problem = check(value as T);
    if (problem !== undefined) {
      throw new pulumi.ResourceError(`\`${arg}\` ${problem}`, resource);
    }
    return value as T;
  });
}

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dns1035Label = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** RFC 1123 label: what Kubernetes accepts for namespace names. */
export function isDnsLabel(value: string): boolean {
  return value.length <= 63 && dnsLabel.test(value);
}

/** RFC 1035 label: what Kubernetes accepts for Service names (starts with a letter). */
export function isDns1035Label(value: string): boolean {
  return value.length <= 63 && dns1035Label.test(value);
}

/** A DNS host name, optionally with a leading `*.` wildcard label. */
export function isHostname(value: string): boolean {
  if (value.length === 0 || value.length > 253) {
    return false;
  }
  const labels = value.startsWith("*.") ? value.slice(2).split(".") : value.split(".");
  return labels.length >= 1 && labels.every(isDnsLabel);
}

export const checks = {
  nonEmpty: (value: string): string | undefined =>
    value.trim().length > 0 ? undefined : "must not be empty",
  integerBetween:
    (min: number, max: number) =>
    (value: number): string | undefined =>
      Number.isInteger(value) && value >= min && value <= max
        ? undefined
        : `must be an integer from ${min} to ${max} (got ${String(value)})`,
  dnsLabel: (value: string): string | undefined =>
    isDnsLabel(value) ? undefined : `must be a DNS label (a-z, 0-9, '-', at most 63 characters; got "${value}")`,
  hostname: (value: string): string | undefined =>
    isHostname(value) ? undefined : `must be a DNS host name (got "${value}")`,
  httpPath: (value: string): string | undefined =>
    value.startsWith("/") ? undefined : `must be an absolute HTTP path starting with "/" (got "${value}")`,
} as const;

/**
 * `value` without its `undefined` properties, so that spreading it over
 * defaults (`{ ...defaults, ...defined(args) }`) keeps a default the caller
 * left out or set to `undefined`.
 */
export function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
