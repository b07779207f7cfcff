/** Names of the AWS objects the router creates, shared by the renderer and the live-weight reader. */

/** Target groups are auto-named from these prefixes, so a track is told by its name alone. */
export const targetGroupNamePrefix = { stable: "rgst-", canary: "rgcn-" } as const;

/** The name in a target group ARN (`…:targetgroup/<name>/<id>`), or undefined when it is not one. */
export function targetGroupName(arn: string): string | undefined {
  return /:targetgroup\/([^/]+)\/[^/]+$/.exec(arn)?.[1];
}

/** The region field of an ARN (`arn:<partition>:<service>:<region>:…`). */
export function arnRegion(arn: string): string | undefined {
  return arn.split(":")[3] || undefined;
}
