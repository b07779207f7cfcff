import { InMemoryReleaseStore } from "../../../automation/release/store";
import { releaseStoreContract } from "../../support/releaseStoreContract";

// PgReleaseStore runs the same contract against PostgreSQL in test/integration/store.
releaseStoreContract("InMemoryReleaseStore", async () => new InMemoryReleaseStore());
