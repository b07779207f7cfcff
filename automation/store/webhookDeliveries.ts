/** `DeliveryLog` in PostgreSQL: one row per delivery id, older than the retention removed as new ones arrive. */
import type { DeliveryLog } from "../services/webhooks/deliveries";
import type { Database } from "./database";

/** GitHub keeps deliveries for redelivery for a few days; a week covers it. */
const RETENTION = "7 days";

export class PgDeliveryLog implements DeliveryLog {
  constructor(private readonly database: Database) {}

  async remember(id: string, event: string): Promise<boolean> {
    const { rowCount } = await this.database.query("INSERT INTO webhook_deliveries (id, event) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING", [id, event]);
    if (rowCount === 1) await this.database.query(`DELETE FROM webhook_deliveries WHERE received_at < now() - interval '${RETENTION}'`);
    return rowCount === 1;
  }

  async forget(id: string): Promise<void> {
    await this.database.query("DELETE FROM webhook_deliveries WHERE id = $1", [id]);
  }
}
