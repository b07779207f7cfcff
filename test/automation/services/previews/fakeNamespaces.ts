import type { PreviewNamespace, PreviewNamespaces } from "../../../../automation/services/previews/previewNamespaces";

/** Preview namespaces in memory, as the cluster would list them. */
export class FakePreviewNamespaces implements PreviewNamespaces {
  readonly removed: string[] = [];
  private readonly namespaces = new Map<string, PreviewNamespace>();

  add(name: string, pr: number, createdAt: string, terminating = false): void {
    this.namespaces.set(name, { name, pr, createdAt: new Date(createdAt), terminating });
  }

  names(): string[] {
    return [...this.namespaces.keys()];
  }

  async list(pr?: number): Promise<PreviewNamespace[]> {
    return [...this.namespaces.values()].filter((namespace) => pr === undefined || namespace.pr === pr);
  }

  async remove(name: string): Promise<void> {
    this.removed.push(name);
    this.namespaces.delete(name);
  }
}
