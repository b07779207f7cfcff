/**
 * Builds the arguments @pulumi/policy hands to validations, without the
 * PolicyPack server: `reportViolation` is a spy, `getConfig` returns the given
 * parameters and `notApplicable` throws like the server's does.
 */
import type {
  PolicyResource,
  PolicyResourceOptions,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { vi } from "vitest";

export type Props = Record<string, unknown>;

export interface ResourceInput {
  readonly type: string;
  readonly props: Props;
  readonly name?: string;
  readonly urn?: string;
  readonly provider?: { readonly type: string; readonly props: Props };
  /** For stack validations: the URNs of the stack's resources each property depends on. */
  readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
}

export interface Outcome {
  /** Messages passed to reportViolation, in order. */
  readonly violations: string[];
  /** The urn argument of each reportViolation call. */
  readonly urns: Array<string | undefined>;
  /** The reason given to notApplicable, when the policy called it. */
  readonly notApplicable?: string;
}

export class NotApplicableError extends Error {
  constructor(readonly reason: string | undefined) {
    super(reason ?? "Policy does not apply");
  }
}

const options: PolicyResourceOptions = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: [],
};

function notApplicable(reason?: string): never {
  throw new NotApplicableError(reason);
}

function isTypeOf(type: string, resourceClass: unknown): boolean {
  return (resourceClass as { __pulumiType?: unknown }).__pulumiType === type;
}

export function urnOf(input: ResourceInput): string {
  return input.urn ?? `urn:pulumi:test::rollgate::${input.type}::${input.name ?? "subject"}`;
}

export function resourceArgs(input: ResourceInput, config: Props = {}): ResourceValidationArgs {
  return {
    type: input.type,
    props: input.props,
    urn: urnOf(input),
    name: input.name ?? "subject",
    opts: options,
    ...(input.provider ? { provider: { ...input.provider, urn: "urn:provider", name: "provider" } } : {}),
    stackTags: new Map(),
    isType: (resourceClass) => isTypeOf(input.type, resourceClass),
    asType: (resourceClass) => (isTypeOf(input.type, resourceClass) ? (input.props as never) : undefined),
    getConfig: <T extends object>() => config as T,
    notApplicable,
  };
}

export function policyResource(input: ResourceInput): PolicyResource {
  return {
    type: input.type,
    props: input.props,
    urn: urnOf(input),
    name: input.name ?? "subject",
    opts: options,
    dependencies: [],
    propertyDependencies: {},
    isType: (resourceClass) => isTypeOf(input.type, resourceClass),
    asType: (resourceClass) => (isTypeOf(input.type, resourceClass) ? (input.props as never) : undefined),
  };
}

/** The stack's resources, with property dependencies resolved to the resources themselves, as the server does. */
export function stackArgs(resources: readonly ResourceInput[], config: Props = {}): StackValidationArgs {
  const pairs = resources.map((input) => ({ input, resource: policyResource(input) }));
  const byUrn = new Map(pairs.map(({ resource }) => [resource.urn, resource]));
  for (const { input, resource } of pairs) {
    for (const [property, urns] of Object.entries(input.propertyDependencies ?? {})) {
      const dependencies = urns.map((urn) => {
        const dependency = byUrn.get(urn);
        if (dependency === undefined) {
          throw new Error(`no resource ${urn} in the stack`);
        }
        return dependency;
      });
      resource.propertyDependencies[property] = dependencies;
      resource.dependencies.push(...dependencies.filter((d) => !resource.dependencies.includes(d)));
    }
  }
  return {
    resources: pairs.map(({ resource }) => resource),
    stackTags: new Map(),
    getConfig: <T extends object>() => config as T,
    notApplicable,
  };
}

async function outcomeOf(run: (reportViolation: ReportViolation) => Promise<void>): Promise<Outcome> {
  const reportViolation = vi.fn<ReportViolation>();
  try {
    await run(reportViolation);
  } catch (error) {
    if (error instanceof NotApplicableError) {
      return { violations: [], urns: [], notApplicable: error.reason ?? "" };
    }
    throw error;
  }
  return {
    violations: reportViolation.mock.calls.map(([message]) => message),
    urns: reportViolation.mock.calls.map(([, urn]) => urn),
  };
}

/** Runs every resource validation of `policy` against one resource. */
export function validateResource(
  policy: ResourceValidationPolicy,
  input: ResourceInput,
  config: Props = {},
): Promise<Outcome> {
  const validations = policy.validateResource === undefined ? [] : [policy.validateResource].flat();
  return outcomeOf(async (reportViolation) => {
    for (const validation of validations) {
      await validation(resourceArgs(input, config), reportViolation);
    }
  });
}

/** Runs the stack validation of `policy` against a stack of resources. */
export function validateStack(
  policy: Pick<StackValidationPolicy, "validateStack">,
  resources: readonly ResourceInput[],
  config: Props = {},
): Promise<Outcome> {
  return outcomeOf(async (reportViolation) => {
    await policy.validateStack(stackArgs(resources, config), reportViolation);
  });
}
