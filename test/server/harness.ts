// Starts a real sharing server in this process from a configuration object, on a free loopback
// port, with its logs captured so tests can check them.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import pino from "pino";
import { stringify } from "yaml";
import { type RunningServer, startServer } from "../../server/server.ts";

export interface TestServer {
  /** The running server itself: its context, operations (metrics) and reload. */
  running: RunningServer;
  configPath: string;
  url: string;
  /** The ops port: /livez, /readyz, /metrics, /status. */
  opsUrl: string;
  endpoint: string;
  token: string;
  dir: string;
  logs: () => string;
  profilePath: string;
  api: (path: string, init?: RequestInit) => Promise<Response>;
  stop: () => Promise<void>;
}

export type ConfigShape = Record<string, unknown> & { shares: unknown[] };

export async function startTestServer(config: ConfigShape): Promise<TestServer> {
  const dir = await mkdtemp(join(tmpdir(), "dso-server-"));
  const token = randomBytes(32).toString("base64url");
  const configPath = join(dir, "server.yaml");
  // recipients (or anonymous access) replace the shared token; the config refuses both at once
  const sharedToken =
    "recipients" in config || "allowAnonymous" in config ? {} : { authorization: { bearerToken: token } };
  // audit events go to a file of the test's own unless the test says otherwise
  const audit = { audit: { destination: "file", file: join(dir, "audit.log") } };
  await writeFile(
    configPath,
    stringify({
      version: 1,
      host: "127.0.0.1",
      port: 0,
      ops: { host: "127.0.0.1", port: 0 },
      ...sharedToken,
      ...audit,
      ...config,
    }),
  );
  let captured = "";
  const sink = new Writable({
    write(chunk, _encoding, done) {
      captured += chunk.toString();
      done();
    },
  });
  // S3 credentials come from the SDK's default chain, i.e. this process's environment
  const server = await startServer(configPath, pino({ level: "debug" }, sink));
  const endpoint = `${server.url}/delta-sharing`;
  const profilePath = join(dir, "profile.share");
  await writeFile(profilePath, JSON.stringify({ shareCredentialsVersion: 1, endpoint, bearerToken: token }));
  return {
    running: server,
    configPath,
    url: server.url,
    opsUrl: server.opsUrl,
    endpoint,
    token,
    dir,
    profilePath,
    logs: () => captured,
    api: (path, init = {}) =>
      fetch(`${endpoint}${path}`, {
        ...init,
        headers: {
          authorization: `Bearer ${token}`,
          ...(init.headers as Record<string, string> | undefined),
        },
        signal: AbortSignal.timeout(30_000),
      }),
    stop: async () => {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
