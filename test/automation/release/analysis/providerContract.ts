/**
 * The expectations every `MetricProvider` meets, run against each
 * implementation (and the test fake, to keep it honest).
 */
import { describe, expect, it } from "vitest";
import type { MetricProvider } from "../../../../automation/release/analysis/provider";

export interface ContractBackend {
  readonly provider: MetricProvider;
  /** The next query returns one sample with this value. */
  answerValue(value: number): void;
  /** The next query returns no data. */
  answerEmpty(): void;
  /** The next query returns NaN. */
  answerNaN(): void;
  /** The backend fails the next query. */
  answerFailure(): void;
}

export function describeMetricProviderContract(name: string, setup: () => ContractBackend): void {
  describe(`${name} (MetricProvider contract)`, () => {
    const QUERY = "sum(rate(http_requests_total[5m]))";

    it("returns a single sample as a number", async () => {
      const backend = setup();
      backend.answerValue(0.25);
      expect(await backend.provider.measure(QUERY, 300)).toEqual({ value: 0.25 });
    });

    it("returns no data as a null value without an error", async () => {
      const backend = setup();
      backend.answerEmpty();
      expect(await backend.provider.measure(QUERY, 300)).toEqual({ value: null });
    });

    it("returns NaN as NaN without an error", async () => {
      const backend = setup();
      backend.answerNaN();
      const measurement = await backend.provider.measure(QUERY, 300);
      expect(measurement.value).toBeNaN();
      expect(measurement.error).toBeUndefined();
    });

    it("returns a backend failure as data, never as an exception", async () => {
      const backend = setup();
      backend.answerFailure();
      const measurement = await backend.provider.measure(QUERY, 300);
      expect(measurement.value).toBeNull();
      expect(measurement.error).toEqual(expect.any(String));
    });

    it("returns an aborted measurement as data", async () => {
      const backend = setup();
      backend.answerValue(1);
      const measurement = await backend.provider.measure(QUERY, 300, AbortSignal.abort());
      expect(measurement).toMatchObject({ value: null, error: expect.any(String) });
    });

    it("names its kind in lowercase words joined by hyphens", () => {
      expect(setup().provider.kind).toMatch(/^[a-z]+(-[a-z]+)*$/);
    });
  });
}
