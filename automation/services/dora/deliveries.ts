/** Release records as DORA delivery records. */
import type { Release } from "../../release/schemas";
import type { DeliveryRecord } from "./dora";

/** `commitTime` (the commit's time, from CI or the webhook payload) is optional: without it a release has no lead time. */
export function deliveryRecord(release: Release): DeliveryRecord {
  const { commitTime } = release;
  return {
    id: release.id,
    environment: release.environment,
    status: release.status,
    startedAt: release.startedAt,
    finishedAt: release.finishedAt,
    ...(commitTime === undefined ? {} : { commitTime }),
  };
}
