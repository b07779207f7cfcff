/**
 * Entry point for `pulumi up` (Pulumi.yaml `main: infra/index.ts`). The
 * stack outputs are the record the program returns.
 */
import { program } from "./program";

export = program();
