import { ReleaseConflictError } from "../../automation/release/errors";
import type { Release } from "../../automation/release/schemas";
import { isActive } from "../../automation/release/stateMachine";
import { byStart, type ReleaseStore } from "../../automation/release/store";

/** For unit tests of the controller. Hands out copies, so callers cannot change stored records. */
export class InMemoryReleaseStore implements ReleaseStore {
  private readonly records = new Map<string, Release>();

  async create(release: Release): Promise<void> {
    const active = await this.active(release.environment);
    if (active && isActive(release.status)) throw new ReleaseConflictError(release.environment, active.id);
    this.records.set(release.id, structuredClone(release));
  }

  async save(release: Release): Promise<void> {
    this.records.set(release.id, structuredClone(release));
  }

  async get(id: string): Promise<Release | undefined> {
    const release = this.records.get(id);
    return release && structuredClone(release);
  }

  async list(filter: { readonly environment?: string } = {}): Promise<Release[]> {
    return [...this.records.values()]
      .filter((release) => filter.environment === undefined || release.environment === filter.environment)
      .sort(byStart)
      .map((release) => structuredClone(release));
  }

  async active(environment: string): Promise<Release | undefined> {
    return (await this.list({ environment })).find((release) => isActive(release.status));
  }

  async listActive(): Promise<Release[]> {
    return (await this.list()).filter((release) => isActive(release.status));
  }
}
