/** A migrated database per test file, created and dropped by vitest hooks (kept apart from `database.ts`, which the benchmark imports outside vitest). */
import { afterAll, beforeAll } from "vitest";
import type { Database } from "../../automation/store/database";
import { migrate } from "../../automation/store/migrate";
import { createTestDatabase, type TestDatabase } from "./database";

/**
 * A migrated database for the tests of one file: created before them,
 * dropped after them. Read `current()` inside tests and hooks.
 */
export function migratedDatabaseForFile(prefix: string): { current(): { readonly test: TestDatabase; readonly database: Database } } {
  let opened: { test: TestDatabase; database: Database } | undefined;
  beforeAll(async () => {
    const test = await createTestDatabase(prefix);
    const database = test.open();
    await migrate(database);
    opened = { test, database };
  });
  afterAll(async () => opened?.test.drop());
  return {
    current() {
      if (!opened) throw new Error("the test database is created in beforeAll");
      return opened;
    },
  };
}
