/**
 * What the registry holds about an image for the supply-chain verdict: its manifest digest and the Sigstore bundles
 * attached to it as OCI referrers (cosign's bundle format: an artifact manifest of type
 * `application/vnd.dev.sigstore.bundle.v0.3+json` whose one layer is the bundle JSON).
 */
import type { ImageReference } from "../../../components/image";
import type { ImageEvidence } from "../verdict";
import { RegistryRequestError } from "./errors";
import { hostOf, type RegistryClient } from "./registryClient";

export const SIGSTORE_BUNDLE_ARTIFACT = "application/vnd.dev.sigstore.bundle.v0.3+json";

/** Registries that predate OCI 1.1's final text report the config's media type as a referrer's artifact type. */
const UNDECIDED_ARTIFACT_TYPES = [undefined, "application/vnd.oci.empty.v1+json"];

export async function imageEvidence(client: RegistryClient, image: ImageReference): Promise<ImageEvidence> {
  const digest = await client.resolve(image);
  const referrers = (await client.referrers(image, digest)).filter(
    (referrer) => referrer.artifactType === SIGSTORE_BUNDLE_ARTIFACT || UNDECIDED_ARTIFACT_TYPES.includes(referrer.artifactType),
  );
  const manifests = await Promise.all(referrers.map((referrer) => client.manifest(image, referrer.digest).then((manifest) => ({ referrer, manifest }))));
  const bundleManifests = manifests.filter(({ manifest }) => (manifest.artifactType ?? manifest.config?.mediaType) === SIGSTORE_BUNDLE_ARTIFACT);
  const bundles = await Promise.all(
    bundleManifests.map(async ({ referrer, manifest }) => {
      const layer = manifest.layers?.[0];
      if (!layer) throw new RegistryRequestError(hostOf(image), 200, `bundle manifest ${referrer.digest}`, "it has no layer");
      const bytes = await client.blob(image, layer.digest);
      try {
        return JSON.parse(bytes.toString("utf8")) as unknown;
      } catch {
        // Not JSON: the verifier reports it as not a valid bundle, like any other unreadable signature.
        return bytes.toString("utf8");
      }
    }),
  );
  return { digest, bundles };
}
