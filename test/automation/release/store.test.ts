import { InMemoryReleaseStore } from "../../support/inMemoryReleaseStore";
import { releaseStoreContract } from "../../support/releaseStoreContract";

// PgReleaseStore runs the same contract against PostgreSQL in test/integration/store.
releaseStoreContract("InMemoryReleaseStore", async () => new InMemoryReleaseStore());
