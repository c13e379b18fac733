// A real Kubernetes API for tests: etcd plus kube-apiserver (built by test/ground/kube/install.sh)
// on free loopback ports, with a fresh CA, serving certificate, service-account keys and an admin
// token in system:masters, authorization by RBAC.
//
// Only the API server runs: no kube-controller-manager, no scheduler, no kubelet. So nothing
// reconciles what is stored: a deleted namespace stays Terminating for ever, owner references are
// not garbage-collected, Deployments get no ReplicaSets or Pods, and no namespace gets its "default"
// ServiceAccount (create it before creating a Pod, or the ServiceAccount admission plugin refuses
// the Pod). Tests that need a pod start its process themselves, as a kubelet would.
//
// Startup (etcd, then kube-apiserver to /readyz) takes about 4 s on an idle 2-core machine and 8 s
// on a busy one; restartApiServer() about the same. Priority-and-fairness and the endpoint
// reconciler are off because nothing here needs them.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ApiException, CoreV1Api, Health, KubeConfig } from "@kubernetes/client-node";
import { stringify } from "yaml";
import { createKubePki, type KubePki } from "./kube-pki.ts";
import { etcdBinary, kubeApiserverBinary } from "./kube-tools.ts";
import { freePort } from "./ports.ts";
import { type RunningProcess, startProcess } from "./process.ts";

export interface KubeGround {
  kubeconfigPath: string;
  server: string;
  token: string;
  kubeConfig: KubeConfig;
  /** Milliseconds from the first process start to a ready apiserver with a "default" namespace. */
  startupMs: number;
  /** Stops and starts kube-apiserver alone, on the same port; etcd and its data stay. */
  restartApiServer: () => Promise<void>;
  stop: () => Promise<void>;
}

const readyTimeoutMs = 60_000;

async function startEtcd(dir: string): Promise<{ process: RunningProcess; url: string }> {
  const clientPort = await freePort();
  const peerPort = await freePort();
  const url = `http://127.0.0.1:${clientPort}`;
  const etcd = await startProcess({
    name: "etcd",
    command: etcdBinary(),
    args: [`--data-dir=${join(dir, "etcd")}`, `--client-port=${clientPort}`, `--peer-port=${peerPort}`],
    ready: async () => {
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
      return response.ok;
    },
    readyTimeoutMs,
  });
  return { process: etcd, url };
}

function apiServerArgs(pki: KubePki, port: number, etcdUrl: string): string[] {
  return [
    "--bind-address=127.0.0.1",
    "--advertise-address=127.0.0.1",
    `--secure-port=${port}`,
    `--etcd-servers=${etcdUrl}`,
    `--tls-cert-file=${pki.servingCertPath}`,
    `--tls-private-key-file=${pki.servingKeyPath}`,
    `--token-auth-file=${pki.tokenFilePath}`,
    "--authorization-mode=RBAC",
    "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
    `--service-account-key-file=${pki.serviceAccountPublicKeyPath}`,
    `--service-account-signing-key-file=${pki.serviceAccountPrivateKeyPath}`,
    "--service-cluster-ip-range=10.96.0.0/16",
    "--enable-priority-and-fairness=false",
    "--endpoint-reconciler-type=none",
    "--profiling=false",
  ];
}

function kubeconfigYaml(server: string, pki: KubePki): string {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: "ground",
        cluster: { server, "certificate-authority-data": Buffer.from(pki.caCertPem).toString("base64") },
      },
    ],
    users: [{ name: "ground-admin", user: { token: pki.adminToken } }],
    contexts: [
      { name: "ground", context: { cluster: "ground", user: "ground-admin", namespace: "default" } },
    ],
    "current-context": "ground",
  });
}

async function ensureDefaultNamespace(kubeConfig: KubeConfig): Promise<void> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  try {
    await core.createNamespace({ body: { metadata: { name: "default" } } });
  } catch (error) {
    if (!(error instanceof ApiException && error.code === 409)) throw error;
  }
}

export async function startKube(): Promise<KubeGround> {
  const startedAt = Date.now();
  const dir = await mkdtemp(join(tmpdir(), "dso-kube-"));
  const started: RunningProcess[] = [];
  try {
    const pki = await createKubePki(dir);
    const etcd = await startEtcd(dir);
    started.push(etcd.process);

    const port = await freePort();
    const server = `https://127.0.0.1:${port}`;
    const kubeconfigPath = join(dir, "kubeconfig.yaml");
    await writeFile(kubeconfigPath, kubeconfigYaml(server, pki), { mode: 0o600 });
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(kubeconfigPath);
    const health = new Health(kubeConfig);

    const apiServerDir = join(dir, "apiserver");
    await mkdir(apiServerDir);
    const startApiServer = () =>
      startProcess({
        name: "kube-apiserver",
        command: kubeApiserverBinary(),
        args: [...apiServerArgs(pki, port, etcd.url), `--cert-dir=${apiServerDir}`],
        ready: () => health.readyz({ signal: AbortSignal.timeout(2000) }),
        readyTimeoutMs,
      });
    let apiServer = await startApiServer();
    started.push(apiServer);
    await ensureDefaultNamespace(kubeConfig);
    const startupMs = Date.now() - startedAt;

    const stop = async () => {
      await apiServer.stop();
      await etcd.process.stop();
      await rm(dir, { recursive: true, force: true });
    };
    const restartApiServer = async () => {
      await apiServer.stop();
      apiServer = await startApiServer();
    };
    return { kubeconfigPath, server, token: pki.adminToken, kubeConfig, startupMs, restartApiServer, stop };
  } catch (error) {
    for (const running of started.reverse()) await running.stop();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
