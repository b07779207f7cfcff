/**
 * Where the Kubernetes API is and how to authenticate, found the way kubectl
 * finds it: the files in KUBECONFIG (merged, the first definition of a name
 * wins), else `~/.kube/config`, else the pod's service account. The service
 * reads three objects from the cluster, so it resolves the connection itself
 * instead of loading a full client (about 70 MB resident).
 */
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { load } from "js-yaml";
import { z } from "zod";

const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

const execConfig = z.object({
  command: z.string(),
  args: z.array(z.string()).nullish(),
  env: z.array(z.object({ name: z.string(), value: z.string() })).nullish(),
  apiVersion: z.string().nullish(),
});
export type ExecConfig = z.infer<typeof execConfig>;

const kubeconfigFile = z.object({
  "current-context": z.string().nullish(),
  clusters: z
    .array(
      z.object({
        name: z.string(),
        cluster: z.object({
          server: z.string(),
          "certificate-authority": z.string().nullish(),
          "certificate-authority-data": z.string().nullish(),
          "insecure-skip-tls-verify": z.boolean().nullish(),
          "tls-server-name": z.string().nullish(),
        }),
      }),
    )
    .nullish(),
  contexts: z.array(z.object({ name: z.string(), context: z.object({ cluster: z.string(), user: z.string().nullish() }) })).nullish(),
  users: z
    .array(
      z.object({
        name: z.string(),
        user: z
          .object({
            "client-certificate": z.string().nullish(),
            "client-certificate-data": z.string().nullish(),
            "client-key": z.string().nullish(),
            "client-key-data": z.string().nullish(),
            token: z.string().nullish(),
            tokenFile: z.string().nullish(),
            username: z.string().nullish(),
            password: z.string().nullish(),
            exec: execConfig.nullish(),
          })
          .nullish(),
      }),
    )
    .nullish(),
});
type KubeconfigFile = z.infer<typeof kubeconfigFile>;
type UserEntry = NonNullable<NonNullable<KubeconfigFile["users"]>[number]["user"]>;

/** A resolved connection: TLS material as PEM, and how to get credentials for a request. */
export interface KubeConnection {
  readonly server: string;
  readonly ca?: Buffer;
  readonly insecureSkipTlsVerify: boolean;
  readonly tlsServerName?: string;
  readonly clientCertificate?: Buffer;
  readonly clientKey?: Buffer;
  /** A bearer token, read per request (token files rotate). */
  readonly token?: () => string;
  readonly basicAuth?: { readonly username: string; readonly password: string };
  /** A credential plugin (`client.authentication.k8s.io` ExecCredential), run by the client. */
  readonly exec?: ExecConfig;
}

export function loadKubeConnection(env: NodeJS.ProcessEnv = process.env): KubeConnection {
  const files = (env.KUBECONFIG ?? "").split(":").filter(Boolean);
  const paths = files.length > 0 ? files : [join(env.HOME ?? homedir(), ".kube", "config")].filter((file) => existsSync(file));
  if (paths.length === 0) {
    if (env.KUBERNETES_SERVICE_HOST) return inClusterConnection(env);
    throw new Error("no Kubernetes configuration: set KUBECONFIG, create ~/.kube/config, or run in a pod");
  }
  return connectionFromFiles(paths.map((path) => ({ path, config: readKubeconfig(path) })));
}

function readKubeconfig(path: string): KubeconfigFile {
  const parsed = kubeconfigFile.safeParse(load(readFileSync(path, "utf8")) ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`kubeconfig ${path} is invalid at ${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "unreadable"}`);
  }
  return parsed.data;
}

export function connectionFromFiles(files: readonly { readonly path: string; readonly config: KubeconfigFile }[]): KubeConnection {
  const find = <T extends { name: string }>(list: (f: KubeconfigFile) => readonly T[] | null | undefined, name: string) => {
    for (const file of files) {
      const found = list(file.config)?.find((entry) => entry.name === name);
      if (found) return { entry: found, base: dirname(resolve(file.path)) };
    }
    return undefined;
  };
  const contextName = files.map((file) => file.config["current-context"]).find(Boolean);
  if (!contextName) throw new Error(`kubeconfig ${files.map((file) => file.path).join(":")} sets no current-context`);
  const context = find((f) => f.contexts, contextName)?.entry.context;
  if (!context) throw new Error(`kubeconfig context \`${contextName}\` is not defined`);
  const cluster = find((f) => f.clusters, context.cluster);
  if (!cluster) throw new Error(`kubeconfig cluster \`${context.cluster}\` (context \`${contextName}\`) is not defined`);
  const user = context.user ? find((f) => f.users, context.user) : undefined;
  if (context.user && !user) throw new Error(`kubeconfig user \`${context.user}\` (context \`${contextName}\`) is not defined`);
  const { entry: clusterEntry, base: clusterBase } = cluster;
  const ca = pem(clusterEntry.cluster["certificate-authority-data"], clusterEntry.cluster["certificate-authority"], clusterBase);
  return {
    server: clusterEntry.cluster.server,
    insecureSkipTlsVerify: clusterEntry.cluster["insecure-skip-tls-verify"] ?? false,
    ...(ca ? { ca } : {}),
    ...(clusterEntry.cluster["tls-server-name"] ? { tlsServerName: clusterEntry.cluster["tls-server-name"] } : {}),
    ...userCredentials(user?.entry.user ?? {}, user?.base ?? clusterBase),
  };
}

function userCredentials(user: UserEntry, base: string): Partial<KubeConnection> {
  const clientCertificate = pem(user["client-certificate-data"], user["client-certificate"], base);
  const clientKey = pem(user["client-key-data"], user["client-key"], base);
  const tokenFile = user.tokenFile ? absolute(user.tokenFile, base) : undefined;
  const token = user.token;
  return {
    ...(clientCertificate ? { clientCertificate } : {}),
    ...(clientKey ? { clientKey } : {}),
    ...(token ? { token: () => token } : tokenFile ? { token: () => readFileSync(tokenFile, "utf8").trim() } : {}),
    ...(user.username && user.password ? { basicAuth: { username: user.username, password: user.password } } : {}),
    ...(user.exec ? { exec: user.exec } : {}),
  };
}

function inClusterConnection(env: NodeJS.ProcessEnv): KubeConnection {
  const host = env.KUBERNETES_SERVICE_HOST ?? "";
  const port = env.KUBERNETES_SERVICE_PORT ?? "443";
  return {
    server: `https://${host.includes(":") ? `[${host}]` : host}:${port}`,
    ca: readFileSync(join(SERVICE_ACCOUNT_DIR, "ca.crt")),
    insecureSkipTlsVerify: false,
    token: () => readFileSync(join(SERVICE_ACCOUNT_DIR, "token"), "utf8").trim(),
  };
}

function pem(data: string | null | undefined, file: string | null | undefined, base: string): Buffer | undefined {
  if (data) return Buffer.from(data, "base64");
  if (file) return readFileSync(absolute(file, base));
  return undefined;
}

/** Relative paths in a kubeconfig are relative to the file that holds them, as in kubectl. */
function absolute(path: string, base: string): string {
  return isAbsolute(path) ? path : join(base, path);
}
