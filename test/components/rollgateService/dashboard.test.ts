import { describe, expect, it } from "vitest";
import { renderServiceDashboard, servicePanels } from "../../../components/rollgateService/dashboard";

describe("the Rollgate service dashboard", () => {
  it("limits every query to the service's namespace", () => {
    for (const panel of servicePanels("rollgate-system")) {
      expect(panel.expr, panel.title).toContain('namespace="rollgate-system"');
    }
  });

  it("charts the service's operations, queue, previews and memory", () => {
    const metrics = servicePanels("rollgate-system").map((panel) => /([a-z_]+)\{/.exec(panel.expr)?.[1]);

    expect(metrics).toEqual([
      "rollgate_operations_total",
      "rollgate_operation_duration_seconds_bucket",
      "rollgate_operations_running",
      "rollgate_operation_queue_depth",
      "rollgate_previews",
      "process_resident_memory_bytes",
    ]);
  });

  it("renders Grafana JSON with one panel per figure and a stable uid", () => {
    const dashboard = JSON.parse(renderServiceDashboard("rollgate-system")) as { uid: string; panels: { id: number }[] };

    expect(dashboard.uid).toBe("rollgate-service-rollgate-system");
    expect(dashboard.panels.map((panel) => panel.id)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
