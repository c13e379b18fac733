// Where test/ground/kube/install.sh leaves kube-apiserver, etcd and helm. The versions are read from
// the committed go.mod files, the one place they are pinned, so a bumped pin is never served by a
// stale binary from the cache.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { cachePath, repoRoot } from "./paths.ts";

const sourceDir = join(repoRoot, "test", "ground", "kube");

function pinnedVersion(moduleDir: string, modulePath: string): string {
  const goMod = readFileSync(join(sourceDir, moduleDir, "go.mod"), "utf8");
  const escaped = modulePath.replaceAll(".", "\\.");
  const match = new RegExp(`^(?:require\\s+|\\s+)${escaped}\\s+(v\\S+)`, "m").exec(goMod);
  if (match?.[1] === undefined) throw new Error(`${modulePath} is not required in ${moduleDir}/go.mod`);
  return match[1];
}

export const kubeVersions = {
  kubernetes: pinnedVersion("apiserver", "k8s.io/kubernetes"),
  etcd: pinnedVersion("etcd", "go.etcd.io/etcd/server/v3"),
  helm: pinnedVersion("helm", "helm.sh/helm/v3"),
};

function builtBinary(name: string, version: string): string {
  const path = cachePath("kube", `${name}-${version}`, name);
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: run test/ground/kube/install.sh first`);
  }
  return path;
}

export function kubeApiserverBinary(): string {
  return builtBinary("kube-apiserver", kubeVersions.kubernetes);
}

export function etcdBinary(): string {
  return builtBinary("etcd", kubeVersions.etcd);
}

export function helmBinary(): string {
  return builtBinary("helm", kubeVersions.helm);
}
