// A real S3 server for tests: S3Proxy on its filesystem backend, bound to loopback on a free port,
// with fresh keys and a fresh data folder per start. It checks SigV4 (headers and presigned
// query strings) and refuses expired URLs, so tests of signing are tests of something.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { promisify } from "node:util";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { repoRoot } from "./paths.ts";
import { freePort } from "./ports.ts";
import { type RunningProcess, startProcess } from "./process.ts";
import { type PathFront, startPathFront } from "./s3PathFront.ts";

export interface S3Ground {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  client: S3Client;
  createBucket: (name: string) => Promise<void>;
  /** Uploads every file under localDir to bucket/prefix/<relative path>; returns the keys written. */
  uploadDirectory: (localDir: string, bucket: string, prefix: string) => Promise<string[]>;
  /** Stops the server and starts it again on the same port with the same data and keys. */
  restart: () => Promise<void>;
  /** Stops the server, keeping its port, data and keys for `up`: an outage. */
  down: () => Promise<void>;
  /** Starts a server stopped by `down` again, on the same port with the same data and keys. */
  up: () => Promise<void>;
  stop: () => Promise<void>;
}

export interface S3Options {
  /** JVM options; the default favours a quick start over peak throughput. */
  jvmArgs?: string[];
}

const region = "us-east-1";
// Matches the options the install script writes its class-data-sharing archive with.
const defaultJvmArgs = ["-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"];
const installScript = join(repoRoot, "test", "ground", "s3", "install.sh");

interface Installed {
  jar: string;
  archive: string | undefined;
}

let installed: Promise<Installed> | undefined;

// The script prints the jar's path, then the class-data-sharing archive's path when it has one.
function installS3Proxy(): Promise<Installed> {
  installed ??= promisify(execFile)("bash", [installScript], { timeout: 600_000 }).then(({ stdout }) => {
    const [jar, archive] = stdout.trim().split("\n");
    if (!jar?.endsWith(".jar")) throw new Error(`${installScript} printed no jar path: ${stdout}`);
    return { jar, archive };
  });
  return installed;
}

async function isHealthy(endpoint: string): Promise<boolean> {
  const response = await fetch(`${endpoint}/healthz`, { signal: AbortSignal.timeout(1000) });
  await response.body?.cancel();
  return response.ok;
}

export async function startS3(options: S3Options = {}): Promise<S3Ground> {
  const { jar, archive } = await installS3Proxy();
  const root = await mkdtemp(join(tmpdir(), "dso-s3-"));
  const dataDir = join(root, "data");
  await mkdir(dataDir);
  const port = await freePort();
  const backendPort = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const backend = `http://127.0.0.1:${backendPort}`;
  const accessKeyId = `DSO${randomBytes(8).toString("hex").toUpperCase()}`;
  const secretAccessKey = randomBytes(30).toString("base64url");

  // Path-style only (no s3proxy.virtual-host) and SigV4 only: what the server under test uses.
  const properties = join(root, "s3proxy.conf");
  await writeFile(
    properties,
    [
      `s3proxy.endpoint=${backend}`,
      "s3proxy.authorization=aws-v4",
      `s3proxy.identity=${accessKeyId}`,
      `s3proxy.credential=${secretAccessKey}`,
      "jclouds.provider=filesystem-nio2",
      `jclouds.filesystem.basedir=${dataDir}`,
      "",
    ].join("\n"),
    { mode: 0o600 },
  );

  const launch = () =>
    startProcess({
      name: "s3proxy",
      command: "java",
      args: [
        ...(options.jvmArgs ?? defaultJvmArgs),
        ...(archive ? ["-Xshare:auto", `-XX:SharedArchiveFile=${archive}`] : []),
        "-Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener",
        "-jar",
        jar,
        "--properties",
        properties,
      ],
      env: { ...process.env, LOG_LEVEL: process.env.S3PROXY_LOG_LEVEL ?? "warn" },
      ready: () => isHealthy(backend),
      readyTimeoutMs: 30_000,
    });

  let server: RunningProcess | undefined;
  let front: PathFront | undefined;
  try {
    server = await launch();
    front = await startPathFront(port, backendPort);
  } catch (error) {
    await server?.stop();
    await rm(root, { recursive: true, force: true });
    throw error;
  }

  const client = new S3Client({
    endpoint,
    region,
    forcePathStyle: true,
    credentials: { accessKeyId, secretAccessKey },
  });

  const createBucket = async (name: string) => {
    await client.send(new CreateBucketCommand({ Bucket: name }));
  };

  const uploadDirectory = async (localDir: string, bucket: string, prefix: string) => {
    const entries = await readdir(localDir, { recursive: true, withFileTypes: true });
    const base = prefix.replace(/\/+$/, "");
    const keys: string[] = [];
    for (const entry of entries) {
      if (!entry.isFile()) continue;
      const path = join(entry.parentPath, entry.name);
      const name = relative(localDir, path).split(sep).join("/");
      const key = base === "" ? name : `${base}/${name}`;
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: await readFile(path) }));
      keys.push(key);
    }
    return keys.sort();
  };

  const down = async () => {
    await front?.close();
    front = undefined;
    await server?.stop();
    server = undefined;
  };

  const up = async () => {
    server ??= await launch();
    front ??= await startPathFront(port, backendPort);
  };

  const restart = async () => {
    await down();
    await up();
  };

  const stop = async () => {
    client.destroy();
    await front?.close();
    front = undefined;
    await server?.stop();
    server = undefined;
    await rm(root, { recursive: true, force: true });
  };

  return {
    endpoint,
    region,
    accessKeyId,
    secretAccessKey,
    client,
    createBucket,
    uploadDirectory,
    restart,
    down,
    up,
    stop,
  };
}
