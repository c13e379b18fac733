// The container image without a container engine: the Dockerfile's instructions are replayed here
// (npm ci --omit=dev and the import check included), and the result is checked and run. Each entry
// point runs from the built root filesystem as a kubelet would run it: read-only root, UID 65532,
// no capabilities, the image's environment, volumes at their mount paths. The server serves the
// official Python client from it, both through the image's entry point and exactly as the
// operator's rendered Deployment starts it; the operator leads and reconciles against a real API
// server; the recipient command makes a profile.
import assert from "node:assert/strict";
import { chmod, chown, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { V1Secret } from "@kubernetes/client-node";
import { parse } from "yaml";
import { objectPath, resourceTypes } from "../../operator/kube/resourceTypes.ts";
import { renderConfigSecret } from "../../operator/render/configSecret.ts";
import { tokenSha256 } from "../../operator/render/credentials.ts";
import { renderDeployment } from "../../operator/render/deployment.ts";
import { renderServerConfig, serverConfigText } from "../../operator/render/serverConfig.ts";
import { type Cluster, startCluster } from "../e2e/cluster.ts";
import { writeSecretVolume } from "../e2e/kubelet.ts";
import { listWithClient, loadWithClient } from "../fixtures/recipient.ts";
import { readTable, sortRows } from "../fixtures/tables.ts";
import { repoRoot } from "../ground/paths.ts";
import { freePort } from "../ground/ports.ts";
import type { RunningProcess } from "../ground/process.ts";
import { waitUntil } from "../ground/wait.ts";
import { exampleObjects, server as serverResource } from "../operator/resources.ts";
import { runContainer, startContainer } from "./container.ts";
import { type ReplayedImage, replayBuild } from "./replayBuild.ts";

const sampleTables = join(repoRoot, "examples", "sample", "tables");
const nonRoot = 65532;

let scratch: string;
let image: ReplayedImage;
let buildMs: number;
const running: RunningProcess[] = [];
let cluster: Cluster | undefined;

async function filesBelow(dir: string, skip: (name: string) => boolean): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (skip(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await filesBelow(path, skip)));
    else found.push(path);
  }
  return found;
}

/** A folder a volume stands for: owned as the kubelet leaves it for fsGroup 65532. */
async function volumeDir(name: string, mode: number): Promise<string> {
  const dir = join(scratch, "volumes", name);
  await mkdir(dir, { recursive: true });
  await chown(dir, 0, nonRoot);
  await chmod(dir, mode);
  return dir;
}

async function profileFor(port: number, token: string, name: string): Promise<string> {
  const path = join(scratch, `${name}.share`);
  const profile = {
    shareCredentialsVersion: 1,
    endpoint: `http://127.0.0.1:${port}/delta-sharing`,
    bearerToken: token,
  };
  await writeFile(path, JSON.stringify(profile), { mode: 0o600 });
  return path;
}

async function assertClientReadsSample(profile: string): Promise<void> {
  const listing = await listWithClient(profile);
  assert.deepEqual(listing.tables["sample.default"]?.sort(), ["stations", "trips"]);
  const [read, truth] = await Promise.all([
    loadWithClient(profile, "sample.default.trips"),
    readTable(join(sampleTables, "trips")),
  ]);
  assert.ok(read.rows.length > 0);
  assert.deepEqual(sortRows(read.rows), sortRows(truth.versions[String(truth.latestVersion)] ?? []));
}

function assertNoWriteFailure(process: RunningProcess): void {
  assert.doesNotMatch(process.output(), /EROFS|EACCES|read-only file system/i);
}

before(async () => {
  scratch = await mkdtemp(join(tmpdir(), "dso-image-"));
  await chmod(scratch, 0o755);
  const started = Date.now();
  image = await replayBuild({
    contextDir: repoRoot,
    dockerfilePath: join(repoRoot, "Dockerfile"),
    outDir: join(scratch, "build"),
  });
  buildMs = Date.now() - started;
});

after(async () => {
  for (const process of running) await process.stop();
  await cluster?.stop();
  await rm(scratch, { recursive: true, force: true });
});

describe("the image", () => {
  test("builds from the Dockerfile's steps into the production dependencies and the sources, owned by root", async () => {
    process.stdout.write(
      `# image build replayed in ${buildMs} ms (stages: ${JSON.stringify(image.stageMs)})\n`,
    );
    const app = join(image.root, "app");
    assert.deepEqual((await readdir(app)).sort(), [
      "bin",
      "node_modules",
      "operator",
      "package-lock.json",
      "package.json",
      "server",
    ]);
    // exactly the lockfile's production packages, at the locked versions; none of the dev ones
    const lock = JSON.parse(await readFile(join(repoRoot, "package-lock.json"), "utf8")) as {
      packages: Record<string, { version?: string; dev?: boolean; optional?: boolean }>;
    };
    let production = 0;
    for (const [path, entry] of Object.entries(lock.packages)) {
      if (path === "") continue;
      if (entry.dev) {
        await assert.rejects(stat(join(app, path)), { code: "ENOENT" }, `${path} is a dev dependency`);
        continue;
      }
      const installed = JSON.parse(await readFile(join(app, path, "package.json"), "utf8")) as {
        version: string;
      };
      assert.equal(installed.version, entry.version, path);
      production += 1;
    }
    assert.ok(production > 0);
    for (const tool of ["typescript", "@biomejs/biome", "fast-check"]) {
      await assert.rejects(stat(join(app, "node_modules", tool)), { code: "ENOENT" }, tool);
    }
    const sources = await filesBelow(app, (name) => name === "node_modules");
    assert.deepEqual(
      sources.filter((path) => path.endsWith(".test.ts")),
      [],
    );
    for (const path of [app, ...sources]) {
      const info = await stat(path);
      assert.equal(info.uid, 0, path);
      assert.equal(info.mode & 0o022, 0, `${path} is writable by others`);
    }
    assert.equal(
      (await stat(join(image.root, "usr", "local", "bin", "node"))).size,
      (await stat(process.execPath)).size,
    );
    assert.equal(image.config.user, `${nonRoot}:${nonRoot}`);
    assert.equal(image.config.workdir, "/app");
    assert.deepEqual(image.config.entrypoint, ["node", "/app/bin/delta-sharing-operator.ts"]);
    assert.deepEqual(image.config.cmd, ["operator"]);
    assert.equal(image.config.env.NODE_ENV, "production");
  });

  test("serves a share with the server entry point, as UID 65532 on a read-only root", async () => {
    const [port, opsPort] = await Promise.all([freePort(), freePort()]);
    const token = "image-test-token-0123456789abcdef";
    const config = await volumeDir("server-config", 0o750);
    await writeFile(
      join(config, "config.yaml"),
      JSON.stringify({
        version: 1,
        host: "127.0.0.1",
        port,
        ops: { host: "127.0.0.1", port: opsPort },
        authorization: { bearerToken: token },
        shares: [
          {
            name: "sample",
            schemas: [
              {
                name: "default",
                tables: ["stations", "trips"].map((name) => ({ name, location: `/data/tables/${name}` })),
              },
            ],
          },
        ],
      }),
    );
    await chown(join(config, "config.yaml"), 0, nonRoot);
    await chmod(join(config, "config.yaml"), 0o440);
    const server = await startContainer({
      name: "image server",
      root: image.root,
      image: image.config,
      args: ["server", "--config", "/etc/delta-sharing/config.yaml"],
      volumeMounts: [
        { hostPath: config, mountPath: "/etc/delta-sharing", readOnly: true },
        { hostPath: sampleTables, mountPath: "/data/tables", readOnly: true },
      ],
      ready: async () =>
        (await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2000) })).ok,
      readyTimeoutMs: 60_000,
    });
    running.push(server);
    assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
    const metrics = await fetch(`http://127.0.0.1:${opsPort}/metrics`);
    assert.equal(metrics.status, 200);
    assert.match(await metrics.text(), /^# HELP /m);
    await assertClientReadsSample(await profileFor(port, token, "entry-point"));
    assertNoWriteFailure(server);
  });

  test("serves a share exactly as the operator's rendered Deployment starts the server", async () => {
    const [port, opsPort] = await Promise.all([freePort(), freePort()]);
    const token = "rendered-deployment-token-0123456789";
    const resource = serverResource("sharing", { port, opsPort, bindAddress: "127.0.0.1" });
    const deployment = renderDeployment(resource, { defaultImage: "this-image" });
    const pod = deployment.spec?.template.spec;
    const container = pod?.containers[0];
    assert.ok(pod && container);
    assert.equal(container.securityContext?.runAsUser, nonRoot);
    assert.equal(container.securityContext?.readOnlyRootFilesystem, true);
    assert.equal(pod.securityContext?.fsGroup, nonRoot);

    // the configuration and signing key the operator would write to the Secret, local tables
    const configText = serverConfigText(
      renderServerConfig(
        resource,
        [
          {
            name: "sample",
            schemas: [
              {
                name: "default",
                tables: [
                  { name: "trips", location: "/data/tables/trips" },
                  { name: "stations", location: "/data/tables/stations" },
                ],
              },
            ],
          },
        ],
        [{ name: "partner", tokens: [{ sha256: tokenSha256(token) }], shares: ["sample"] }],
      ),
    );
    const secret = renderConfigSecret(resource, configText, "k".repeat(48));
    const volumeMounts = [];
    for (const mount of container.volumeMounts ?? []) {
      const volume = pod.volumes?.find((each) => each.name === mount.name);
      if (volume?.secret) {
        const dir = await volumeDir(mount.name, 0o755);
        await writeSecretVolume(dir, secret.data ?? {}, volume.secret.defaultMode ?? 0o644);
        for (const entry of await readdir(dir))
          await chown(join(dir, entry), 0, nonRoot).catch(() => undefined);
        for (const entry of await readdir(join(dir, "..data")))
          await chown(join(dir, "..data", entry), 0, nonRoot);
        volumeMounts.push({ hostPath: dir, mountPath: mount.mountPath, readOnly: true });
      } else if (volume?.emptyDir) {
        volumeMounts.push({ hostPath: await volumeDir(mount.name, 0o1777), mountPath: mount.mountPath });
      } else {
        throw new Error(`volume ${mount.name} is neither a Secret nor an emptyDir`);
      }
    }
    volumeMounts.push({ hostPath: sampleTables, mountPath: "/data/tables", readOnly: true });
    const env = Object.fromEntries((container.env ?? []).map((each) => [each.name, each.value ?? ""]));
    const probe = container.readinessProbe?.httpGet?.path ?? "/";
    const server = await startContainer({
      name: "rendered server",
      root: image.root,
      image: image.config,
      ...(container.command !== undefined ? { command: container.command } : {}),
      ...(container.args !== undefined ? { args: container.args } : {}),
      ...(container.workingDir !== undefined ? { workingDir: container.workingDir } : {}),
      env,
      volumeMounts,
      ready: async () =>
        (await fetch(`http://127.0.0.1:${opsPort}${probe}`, { signal: AbortSignal.timeout(2000) })).ok,
      readyTimeoutMs: 60_000,
    });
    running.push(server);
    await assertClientReadsSample(await profileFor(port, token, "rendered"));
    assertNoWriteFailure(server);
  });

  test("runs the operator entry point: it leads, reconciles examples/share.yaml and stops cleanly", async () => {
    cluster = await startCluster();
    const kubeDir = await volumeDir("kube", 0o750);
    await writeFile(join(kubeDir, "config"), await readFile(cluster.kube.kubeconfigPath));
    await chown(join(kubeDir, "config"), 0, nonRoot);
    await chmod(join(kubeDir, "config"), 0o440);
    const port = await freePort();
    const operator = await startContainer({
      name: "image operator",
      root: image.root,
      image: image.config,
      args: [
        "operator",
        `--health-address=127.0.0.1:${port}`,
        "--lease-namespace=default",
        "--identity=image-operator",
      ],
      env: { KUBECONFIG: "/etc/kube/config" },
      volumeMounts: [{ hostPath: kubeDir, mountPath: "/etc/kube", readOnly: true }],
      ready: async () =>
        (await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) })).ok,
      readyTimeoutMs: 60_000,
    });
    running.push(operator);
    await waitUntil(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok, {
      timeoutMs: 30_000,
      what: "the operator to lead with its caches filled",
    });
    assert.match(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text(), /^# HELP /m);

    for (const object of exampleObjects()) await cluster.apply(object as never);
    const activeCluster = cluster;
    await waitUntil(
      async () =>
        (await activeCluster.get<V1Secret>(resourceTypes.secret, "analytics-partner-share-profile")) !==
          undefined &&
        (await activeCluster.get<V1Secret>(resourceTypes.secret, "sharing-config")) !== undefined,
      {
        timeoutMs: 30_000,
        what: "the operator in the image to write the config and the recipient's profile",
      },
    );

    await operator.stop();
    assert.equal(operator.child.exitCode, 0, operator.output());
    const lease = await cluster.client.get<{ spec: { holderIdentity?: string | null } }>(
      objectPath(resourceTypes.lease, "default", "delta-sharing-operator"),
    );
    assert.equal(lease.spec.holderIdentity ?? null, null, "the lease is released on SIGTERM");
    assertNoWriteFailure(operator);
  });

  test("makes a recipient's profile with the recipient command", async () => {
    const made = await runContainer({
      root: image.root,
      image: image.config,
      args: [
        "recipient",
        "create",
        "partner",
        "--endpoint",
        "https://sharing.example.com/delta-sharing",
        "--share",
        "sample",
      ],
    });
    assert.equal(made.code, 0, made.stderr);
    const profile = JSON.parse(made.stdout.slice(made.stdout.indexOf("{"), made.stdout.indexOf("}") + 1)) as {
      endpoint: string;
      bearerToken: string;
    };
    assert.equal(profile.endpoint, "https://sharing.example.com/delta-sharing");
    const entry = parse(made.stdout.slice(made.stdout.indexOf("}") + 1)) as {
      name: string;
      tokens: { sha256: string }[];
    }[];
    assert.deepEqual(entry[0]?.tokens, [{ sha256: tokenSha256(profile.bearerToken) }]);
    assert.doesNotMatch(made.stderr, /EROFS|EACCES/);
  });
});
