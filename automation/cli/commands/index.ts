/** Command groups of the CLI. Adding `release`, `audit` or `dora` is one file and one line here. */
import type { CommandGroup } from "../types";
import { auditCommands } from "./audit";
import { doraCommands } from "./dora";
import { previewCommands } from "./preview";
import { releaseCommands } from "./release";

export const commandGroups: readonly CommandGroup[] = [previewCommands, releaseCommands, auditCommands, doraCommands];
