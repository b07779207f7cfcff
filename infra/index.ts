/**
 * Entry point for `pulumi up` (Pulumi.yaml `main: infra/index.ts`). The
 * stack outputs are the record the program returns. `rollgate:program`
 * chooses the program: the application's environments (default) or, with
 * `service`, Rollgate itself.
 */
import * as pulumi from "@pulumi/pulumi";
import { configNamespace, programs, type ProgramKind } from "./configKeys";
import { program } from "./program";
import { serviceProgram } from "./service/program";

/** The chosen program; an unknown value is left to `parseConfig`, which names the key. */
function chosenProgram(): ProgramKind {
  const chosen = new pulumi.Config(configNamespace).get("program");
  return programs.find((kind) => kind === chosen) ?? "app";
}

export = chosenProgram() === "service" ? Promise.resolve({ ...serviceProgram() }) : program();
