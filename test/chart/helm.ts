// The chart as helm renders it, and its objects applied to an API server as `kubectl apply
// --server-side` would: each object's REST path found through the server's discovery documents.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parseAllDocuments } from "yaml";
import type { KubeClient } from "../../operator/kube/client.ts";
import { helmBinary, kubeVersions } from "../ground/kube-tools.ts";
import { repoRoot } from "../ground/paths.ts";

export const chartDir = join(repoRoot, "charts", "delta-sharing-operator");

const run = promisify(execFile);

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

/** Runs helm with its own scratch home, so nothing is read from or left in the user's. */
export async function helm(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const home = await mkdtemp(join(tmpdir(), "dso-helm-"));
  try {
    return await run(helmBinary(), args, {
      timeout: 120_000,
      maxBuffer: 32 * 1024 * 1024,
      env: {
        PATH: process.env.PATH,
        HOME: home,
        HELM_CACHE_HOME: join(home, "cache"),
        HELM_CONFIG_HOME: join(home, "config"),
        HELM_DATA_HOME: join(home, "data"),
      },
    });
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

/** `helm template` with the given values (written to a values file, as a user's would be). */
export async function renderChart(
  release: string,
  namespace: string,
  values: object = {},
): Promise<Manifest[]> {
  const dir = await mkdtemp(join(tmpdir(), "dso-values-"));
  try {
    const valuesPath = join(dir, "values.json");
    await writeFile(valuesPath, JSON.stringify(values));
    const { stdout } = await helm([
      "template",
      release,
      chartDir,
      "--namespace",
      namespace,
      "--kube-version",
      kubeVersions.kubernetes,
      "--values",
      valuesPath,
    ]);
    return parseAllDocuments(stdout)
      .map((document) => document.toJS() as Manifest | null)
      .filter((object): object is Manifest => object !== null);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
}

/** The collection path of a kind, from the API server's discovery document of its group version. */
export async function collectionPathOf(
  client: KubeClient,
  object: Manifest,
  namespace: string,
): Promise<string> {
  const prefix = object.apiVersion.includes("/") ? `/apis/${object.apiVersion}` : `/api/${object.apiVersion}`;
  const discovery = await client.get<{ resources: ApiResource[] }>(prefix);
  const resource = discovery.resources.find((each) => each.kind === object.kind && !each.name.includes("/"));
  if (resource === undefined)
    throw new Error(`the API server serves no ${object.kind} in ${object.apiVersion}`);
  return resource.namespaced
    ? `${prefix}/namespaces/${encodeURIComponent(object.metadata.namespace ?? namespace)}/${resource.name}`
    : `${prefix}/${resource.name}`;
}

/** Server-side apply of one object; with dryRun the server validates and admits it but stores nothing. */
export async function applyManifest(
  client: KubeClient,
  object: Manifest,
  options: { namespace: string; dryRun: boolean; fieldManager?: string },
): Promise<Manifest> {
  const path = `${await collectionPathOf(client, object, options.namespace)}/${encodeURIComponent(object.metadata.name)}`;
  return client.apply<Manifest>(options.dryRun ? `${path}?dryRun=All` : path, object, {
    fieldManager: options.fieldManager ?? "helm",
  });
}
