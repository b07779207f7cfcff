/**
 * The engine port's errors: what `@pulumi/pulumi/automation` throws, translated
 * once where the engine is left (`LocalStackEngine`), in the service's one
 * hierarchy. Their messages are written for clients: the SDK's carry the
 * CLI's whole output.
 */
import { ConflictError, NotFoundError } from "../errors";

export class NoSuchStackError extends NotFoundError {
  constructor(
    readonly stackName: string,
    options?: ErrorOptions,
  ) {
    super(`stack \`${stackName}\` does not exist`, options);
  }
}

export class StackBusyError extends ConflictError {
  constructor(
    readonly stackName: string,
    options?: ErrorOptions,
  ) {
    super(`another update is in progress on stack \`${stackName}\`; retry when it has finished`, options);
  }
}

export class StackExistsError extends ConflictError {
  constructor(
    readonly stackName: string,
    options?: ErrorOptions,
  ) {
    super(`stack \`${stackName}\` already exists`, options);
  }
}
