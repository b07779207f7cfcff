/** Clean-up steps registered as resources are created, run in reverse order even when the run failed. */
import { progress } from "./progress";

export class Cleanup {
  private readonly steps: { readonly name: string; readonly run: () => Promise<unknown> }[] = [];
  private running?: Promise<string[]>;

  /** Registers a step; returns a function that runs it now (and unregisters it). */
  defer(name: string, run: () => Promise<unknown>): () => Promise<void> {
    const step = { name, run };
    this.steps.push(step);
    return async () => {
      const index = this.steps.indexOf(step);
      if (index < 0) return;
      this.steps.splice(index, 1);
      await run();
    };
  }

  /** Runs every registered step, newest first; returns the names of those that failed (a failure never stops the others). */
  runAll(): Promise<string[]> {
    this.running ??= (async () => {
      const failed: string[] = [];
      while (this.steps.length > 0) {
        const step = this.steps.pop();
        if (!step) break;
        progress(`cleanup: ${step.name}`);
        try {
          await step.run();
        } catch (error) {
          failed.push(step.name);
          progress(`cleanup: ${step.name} failed: ${(error as Error).message}`);
        }
      }
      return failed;
    })();
    return this.running;
  }
}
