import type * as pulumi from "@pulumi/pulumi";

/** What every part of a RollgateService shares: its parent, names and labels. */
export interface ServiceScope {
  /** The component's Pulumi name; children are `${name}-<role>`. */
  readonly name: string;
  readonly parent: pulumi.Resource;
  /** Name of the Kubernetes objects in the service's namespace. */
  readonly objectName: string;
  readonly namespace: pulumi.Output<string>;
  /** Kubernetes recommended labels on every object. */
  readonly labels: Readonly<Record<string, pulumi.Input<string>>>;
  /** Labels selecting the service's pods. */
  readonly selector: Readonly<Record<string, string>>;
}

/** Container port of the HTTP server (`ROLLGATE_PORT`). */
export const httpPort = 7070;
