import * as pulumi from "@pulumi/pulumi";
import { releaseAnnotations } from "./labels";

/** Who deployed, and as part of which release; stamped as `releaseAnnotations`. */
export interface ReleaseMetadata {
  readonly releaseId?: pulumi.Input<string>;
  readonly deployedBy?: pulumi.Input<string>;
}

/** The annotations `metadata` sets, leaving out the ones it has no value for. */
export function releaseAnnotationValues(metadata: ReleaseMetadata = {}): Record<string, pulumi.Input<string>> {
  return {
    ...(metadata.releaseId !== undefined ? { [releaseAnnotations.releaseId]: metadata.releaseId } : {}),
    ...(metadata.deployedBy !== undefined ? { [releaseAnnotations.deployedBy]: metadata.deployedBy } : {}),
  };
}

/** The `verified-digest` annotation for a track whose image passed the supply-chain gate; none when unverified. */
export function verifiedDigestAnnotation(digest: pulumi.Input<string> | undefined): Record<string, pulumi.Input<string>> {
  return digest === undefined ? {} : { [releaseAnnotations.verifiedDigest]: digest };
}
