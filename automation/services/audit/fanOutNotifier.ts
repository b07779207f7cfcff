/** One release notifier that tells several (webhook, audit trail); one failing does not stop the others. */
import type { Notifier, ReleaseEvent } from "../../release/ports";

export class FanOutNotifier implements Notifier {
  constructor(private readonly notifiers: readonly Notifier[]) {}

  /** Tells every notifier at once; rejects (for the controller to log) when any of them failed. */
  async notify(event: ReleaseEvent): Promise<void> {
    const results = await Promise.allSettled(this.notifiers.map((notifier) => notifier.notify(event)));
    const errors = results.flatMap((result) => (result.status === "rejected" ? [result.reason as unknown] : []));
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, `${errors.length} release notifiers failed`);
  }
}

/** The single notifier for a list: none, the one, or a fan-out. */
export function combineNotifiers(notifiers: readonly Notifier[]): Notifier | undefined {
  if (notifiers.length <= 1) return notifiers[0];
  return new FanOutNotifier(notifiers);
}
