/** Release events as JSON POSTs to a webhook (Slack relay, chat bot, audit sink). */
import type { Notifier, ReleaseEvent } from "../../release/ports";

export interface WebhookNotifierOptions {
  readonly url: string;
  /** Per delivery; default 5 s. A slow webhook never holds a release up for longer. */
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
}

export class WebhookNotifier implements Notifier {
  private readonly fetch: typeof fetch;
  private readonly timeoutMs: number;

  constructor(private readonly options: WebhookNotifierOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
    this.timeoutMs = options.timeoutMs ?? 5000;
  }

  /** Rejects on a network error, a timeout or a non-2xx answer; the controller logs it and carries on. */
  async notify(event: ReleaseEvent): Promise<void> {
    const response = await this.fetch(this.options.url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "rollgate-release-controller" },
      body: JSON.stringify(event),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    await response.body?.cancel().catch(() => undefined);
    if (!response.ok) throw new Error(`the release webhook answered HTTP ${response.status}`);
  }
}
