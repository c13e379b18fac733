// The server's config Secret: its configuration file and the key every replica signs page tokens
// and file URLs with (made once by the operator and kept, so a token from one replica works on
// another, and across restarts).
import type { V1Secret } from "@kubernetes/client-node";
import type { DeltaSharingServer } from "../api/kinds.ts";
import { configSecretName, serverLabels } from "./names.ts";
import { ownedMetadata } from "./ownerReference.ts";
import { configFileName, signingKeyFileName } from "./serverConfig.ts";

export type NamedSecret = V1Secret & { metadata: { name: string; namespace: string } };

export function renderConfigSecret(
  server: DeltaSharingServer,
  configText: string,
  signingKey: string,
): NamedSecret {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: ownedMetadata(server, configSecretName(server), serverLabels(server.metadata.name)),
    type: "Opaque",
    data: {
      [configFileName]: Buffer.from(configText).toString("base64"),
      [signingKeyFileName]: Buffer.from(signingKey).toString("base64"),
    },
  };
}

/** The signing key a config Secret already holds, to be kept. */
export function signingKeyOf(secret: V1Secret | undefined): string | undefined {
  const encoded = secret?.data?.[signingKeyFileName];
  if (encoded === undefined) return undefined;
  const key = Buffer.from(encoded, "base64").toString("utf8");
  return key.length >= 32 ? key : undefined;
}

/** The configuration text a config Secret holds. */
export function configTextOf(secret: V1Secret | undefined): string | undefined {
  const encoded = secret?.data?.[configFileName];
  return encoded === undefined ? undefined : Buffer.from(encoded, "base64").toString("utf8");
}
