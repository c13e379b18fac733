// moto in server mode on a free loopback port: the test ground's STS and an S3 that takes session
// credentials. aws_setup.py makes the IAM side of directory access and then switches moto's
// authentication on, after which every request is signed and checked: the signature against the
// issued secret, the session token, the role's trust policy on AssumeRole and the role's permission
// policies on S3. moto does not apply session policies, conditions or expiry.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "./paths.ts";
import { freePort } from "./ports.ts";
import { startProcess } from "./process.ts";
import { venvPathOf } from "./python.ts";

const run = promisify(execFile);
const installScript = "test/ground/moto/install.sh";

export interface MotoSetupSpec {
  buckets: string[];
  /** Local folders uploaded file by file under bucket/prefix/. */
  uploads: { dir: string; bucket: string; prefix: string }[];
  /** The bucket the reader role's permission policy lets it read (all of it). */
  readerBucket: string;
}

export interface MotoAws {
  /** Session credentials of the server's role, as IRSA or Pod Identity would give them. */
  server: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
  serverRoleArn: string;
  readerRoleArn: string;
}

/** A session moto's STS issued, as moto recorded it. */
export interface MotoAssumedRole {
  role_arn: string;
  session_name: string;
  policy: string | null;
  access_key_id: string;
}

export interface MotoGround {
  endpoint: string;
  region: string;
  setup: (spec: MotoSetupSpec) => Promise<MotoAws>;
  assumedRoles: () => Promise<MotoAssumedRole[]>;
  stop: () => Promise<void>;
}

function motoPython(): string {
  const python = join(venvPathOf("test/ground/moto/requirements.txt", "moto-venv"), "bin", "python");
  if (!existsSync(python)) throw new Error(`the moto venv is missing; run: bash ${installScript}`);
  return python;
}

export async function startMoto(): Promise<MotoGround> {
  const python = motoPython();
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const started = await startProcess({
    name: "moto",
    command: python,
    args: ["-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)],
    ready: async () => {
      try {
        return (await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) })).ok;
      } catch {
        return false;
      }
    },
    readyTimeoutMs: 60_000,
  });
  return {
    endpoint,
    region: "us-east-1",
    setup: async (spec) => {
      const { stdout } = await run(
        python,
        [join(repoRoot, "test/ground/moto/aws_setup.py"), endpoint, JSON.stringify(spec)],
        { timeout: 120_000, killSignal: "SIGKILL", maxBuffer: 16 * 1024 * 1024 },
      );
      return JSON.parse(stdout) as MotoAws;
    },
    assumedRoles: async () => {
      const data = (await (await fetch(`${endpoint}/moto-api/data.json`)).json()) as {
        sts?: { AssumedRole?: MotoAssumedRole[] };
      };
      return data.sts?.AssumedRole ?? [];
    },
    stop: started.stop,
  };
}
