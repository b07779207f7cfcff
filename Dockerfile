# syntax=docker/dockerfile:1
# Rollgate's container image: the service compiled to JavaScript (`npm run build`), its production npm
# dependencies, and the Pulumi CLI, Node.js language host and provider plugins that its engine runs, built from
# the Go module proxy by scripts/toolchain/build.sh (versions in scripts/toolchain/versions.env).
# .github/workflows/release.yml builds it for linux/amd64 and linux/arm64 on each v* tag, then signs and attests
# it; see docs/rollgate-in-cluster.md ("Image"). test/image/dockerfile.test.ts checks this recipe.
#
# Base images are pinned by digest. Each digest was copied from public Dockerfiles pinning the same tag (no
# registry is reachable from the machines this was written on; `docker buildx imagetools inspect <tag>` shows
# the current one). Dependabot's docker ecosystem (.github/dependabot.yml) proposes a new digest when a tag moves.

# The Go binaries are cross-compiled on the build machine (CGO is off), so no emulation is needed for them.
FROM --platform=$BUILDPLATFORM golang:1.26-bookworm@sha256:9fdc884aacc3bec89b20ffc69f4bb369c78210e3e4f600387b5128b12c199f81 AS engine
ARG TARGETOS TARGETARCH
WORKDIR /src
COPY scripts/lib/common.sh scripts/lib/
COPY scripts/toolchain scripts/toolchain/
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    GOOS=$TARGETOS GOARCH=$TARGETARCH ROLLGATE_TOOLCHAIN=/toolchain bash scripts/toolchain/build.sh --engine-only

# JavaScript is the same on every platform: compiled once, on the build machine.
FROM --platform=$BUILDPLATFORM node:22-bookworm-slim@sha256:43ac6c60b8f89723f746e8a92ce91abd5017e627ce1ddfe4238355d3a30b772c AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build.ts scripts/
COPY automation automation/
COPY components components/
COPY infra infra/
COPY policies policies/
COPY stacks stacks/
RUN npm run build

FROM node:22-bookworm-slim@sha256:43ac6c60b8f89723f746e8a92ce91abd5017e627ce1ddfe4238355d3a30b772c AS runtime
# The Deployment (components/rollgateService/workload.ts) sets the same values, mounts emptyDirs on /tmp and
# /var/lib/rollgate and keeps the root filesystem read-only: nothing else is written at run time.
# The provider plugins are found on PATH (Pulumi's ambient plugins, each use noted by a "using … from $PATH"
# warning): PULUMI_HOME is inside an emptyDir in the pod, so plugins installed there at build time would be hidden,
# and nothing may be downloaded.
ENV NODE_ENV=production \
    ROLLGATE_HOST=0.0.0.0 \
    ROLLGATE_PORT=7070 \
    ROLLGATE_STATE_DIR=/var/lib/rollgate \
    HOME=/var/lib/rollgate/home \
    PULUMI_HOME=/var/lib/rollgate/home/.pulumi \
    PULUMI_SKIP_UPDATE_CHECK=true \
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: @pulumi/kubernetes's install script would download the provider the engine stage built.
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund --ignore-scripts
COPY --from=build /src/dist dist/
COPY --from=engine /toolchain/bin/ /usr/local/bin/
# The slim image has no CA bundle; the Go binaries (CLI, providers) need one for the cloud APIs they call.
COPY --from=engine /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
RUN mkdir -p /var/lib/rollgate/home && chown -R 10001:10001 /var/lib/rollgate
# The pod's UID (runAsUser in components/webService.ts); numeric so runAsNonRoot can check it.
USER 10001:10001
EXPOSE 7070
ENTRYPOINT ["node", "dist/automation/index.js"]
