/** `node --import tsx automation/dataplane/main.ts`: the local data plane (started by `scripts/dataplane.sh`). */
import { loadKubeConnection } from "../cluster/kubeConfig";
import { KubeClient } from "../cluster/kubeClient";
import { createLogger } from "../logger";
import { DataPlane } from "./dataPlane";
import { dataPlaneSettings } from "./settings";

const logger = createLogger(process.env.ROLLGATE_LOG_LEVEL ?? "info").child({ component: "dataplane" });
const settings = dataPlaneSettings(process.env);
const dataPlane = new DataPlane(settings, new KubeClient(loadKubeConnection(process.env)), logger);

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    logger.info({ signal }, "stopping the local data plane");
    void dataPlane.stop().then(() => process.exit(0));
  });
}

dataPlane.start().then(
  () => logger.info({ gateway: dataPlane.gatewayUrl, prometheus: dataPlane.prometheusUrl }, "local data plane running"),
  (error: unknown) => {
    logger.error({ error: error instanceof Error ? error.message : String(error) }, "the local data plane could not start");
    void dataPlane.stop().finally(() => process.exit(1));
  },
);
