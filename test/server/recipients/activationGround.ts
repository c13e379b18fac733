// The ground for activation-link tests: a real kube-apiserver as the Lease store, fixture tables,
// and two sharing-server processes (two replicas sharing nothing but their configuration) whose
// configuration carries sealed activation entries for the given recipients. The server processes
// reach the API server as a service account holding only the Role the chart gives server pods
// (create and get on leases in one namespace), so the test also shows that Role is enough.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { sealActivation } from "../../../server/auth/activationSeal.ts";
import { newToken, profileFor } from "../../../server/cli/recipient.ts";
import type { RecipientConfig } from "../../../server/config/schema.ts";
import { type Expected, writeFixtureTables } from "../../fixtures/tables.ts";
import { type KubeGround, startKube } from "../../ground/kube.ts";
import { freePort } from "../../ground/ports.ts";
import { type ServerProcess, startServerProcess } from "../serverProcess.ts";
import { leaseOnlyKubeconfig } from "./leaseRole.ts";

export interface LinkSpec {
  name: string;
  /** Milliseconds from now; negative for a link already expired. */
  expiresInMs: number;
  allowedIpRanges?: string[];
}

export interface IssuedLink {
  name: string;
  code: string;
  token: string;
  /** The link as the first replica serves it. */
  url: string;
}

export interface ActivationGround {
  dir: string;
  kube: KubeGround;
  expected: Expected;
  replicas: [ServerProcess, ServerProcess];
  links: Record<string, IssuedLink>;
  auditFiles: [string, string];
  contact: string;
  stop(): Promise<void>;
}

export const leaseNamespace = "default";

export async function startActivationGround(specs: LinkSpec[]): Promise<ActivationGround> {
  const dir = await mkdtemp(join(tmpdir(), "dso-activation-"));
  const [kube, expected] = await Promise.all([startKube(), writeFixtureTables(join(dir, "tables"))]);
  const replicas: ServerProcess[] = [];
  try {
    const kubeconfigFile = await leaseOnlyKubeconfig(kube, leaseNamespace, dir);
    const ports = [await freePort(), await freePort()];
    const endpoint = `http://127.0.0.1:${ports[0]}/delta-sharing`;
    const links: Record<string, IssuedLink> = {};
    const recipients: RecipientConfig[] = specs.map((spec) => {
      const token = newToken(undefined);
      const profile = profileFor(endpoint, token);
      const issued = sealActivation(spec.name, profile, new Date(Date.now() + spec.expiresInMs));
      links[spec.name] = {
        name: spec.name,
        code: issued.code,
        token: token.token,
        url: `${endpoint}/activate/${issued.code}`,
      };
      return {
        name: spec.name,
        tokens: [token.entry],
        shares: ["sales"],
        ...(spec.allowedIpRanges ? { allowedIpRanges: spec.allowedIpRanges } : {}),
        activation: issued.entry,
      };
    });
    const contact = "data-team@example.com";
    const signingKey = join(dir, "signing.key");
    await writeFile(signingKey, randomBytes(32).toString("hex"));
    const auditFiles: [string, string] = [join(dir, "audit-0.jsonl"), join(dir, "audit-1.jsonl")];
    for (const [index, port] of ports.entries()) {
      const config = {
        version: 1,
        port,
        signingKeyFile: signingKey,
        configReloadIntervalSeconds: 0,
        ops: { port: 0, host: "127.0.0.1" },
        audit: { destination: "file", file: auditFiles[index] },
        activation: { contact, leaseNamespace, kubeconfigFile },
        shares: [
          {
            name: "sales",
            schemas: [{ name: "fixtures", tables: [{ name: "small", location: expected.small.location }] }],
          },
        ],
        recipients,
      };
      const path = join(dir, `config-${index}.yaml`);
      await writeFile(path, stringify(config));
      replicas.push(await startServerProcess(`replica-${index}`, path));
    }
    return {
      dir,
      kube,
      expected,
      replicas: replicas as [ServerProcess, ServerProcess],
      links,
      auditFiles,
      contact,
      stop: async () => {
        await Promise.all(replicas.map((replica) => replica.stop()));
        await kube.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await kube.stop();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** The same link on another replica: only the host and port differ. */
export function onReplica(link: IssuedLink, replica: ServerProcess): string {
  return `${replica.endpoint}/activate/${link.code}`;
}
