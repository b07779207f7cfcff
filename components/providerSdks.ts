/**
 * Provider SDKs, loaded when a resource is first built. The router modules are
 * imported by the service and the policy pack for their definitions, which
 * never render anything: importing `@pulumi/aws`, `@pulumi/cloudflare` and
 * `@pulumi/kubernetes` at the top of them would cost those processes ~33 MB
 * and up to a second of start-up (measured: aws alone 22 MB).
 */
import type * as Aws from "@pulumi/aws";
import type * as Cloudflare from "@pulumi/cloudflare";
import type * as Kubernetes from "@pulumi/kubernetes";

/* eslint-disable @typescript-eslint/no-require-imports -- a synchronous load on first use is the point; resources are built synchronously */
export const kubernetesSdk = (): typeof Kubernetes => require("@pulumi/kubernetes");
export const awsSdk = (): typeof Aws => require("@pulumi/aws");
export const cloudflareSdk = (): typeof Cloudflare => require("@pulumi/cloudflare");
/* eslint-enable @typescript-eslint/no-require-imports */
