// Custom resources for unit tests: the objects of examples/share.yaml as the API server would
// hold them (namespace, uid, generation), and small builders for variations.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import type { DeltaRecipientSpec } from "../../operator/api/deltaRecipient.ts";
import type { DeltaShareSpec } from "../../operator/api/deltaShare.ts";
import type { DeltaSharingServerSpec } from "../../operator/api/deltaSharingServer.ts";
import { apiVersion } from "../../operator/api/group.ts";
import type { DeltaRecipient, DeltaShare, DeltaSharingServer } from "../../operator/api/kinds.ts";
import { repoRoot } from "../ground/paths.ts";

export const examplePath = join(repoRoot, "examples", "share.yaml");

export interface ExampleObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: Record<string, unknown>;
}

export function exampleObjects(): ExampleObject[] {
  return parseAllDocuments(readFileSync(examplePath, "utf8")).map(
    (document) => document.toJS() as ExampleObject,
  );
}

let uidCounter = 0;

function stored<T>(kind: string, name: string, spec: T, created = "2025-01-01T00:00:00Z") {
  uidCounter += 1;
  return {
    apiVersion,
    kind,
    metadata: {
      name,
      namespace: "team",
      uid: `00000000-0000-0000-0000-${String(uidCounter).padStart(12, "0")}`,
      generation: 1,
      resourceVersion: String(uidCounter),
      creationTimestamp: created,
    },
    spec,
  };
}

export const server = (name: string, spec: Partial<DeltaSharingServerSpec> = {}): DeltaSharingServer =>
  stored("DeltaSharingServer", name, spec);

export const share = (name: string, spec: DeltaShareSpec, created?: string): DeltaShare =>
  stored("DeltaShare", name, spec, created);

export const recipient = (name: string, spec: DeltaRecipientSpec): DeltaRecipient =>
  stored("DeltaRecipient", name, spec);

/** The example's objects, stored in namespace "team". */
export function example(): {
  server: DeltaSharingServer;
  shares: DeltaShare[];
  recipients: DeltaRecipient[];
} {
  const objects = exampleObjects();
  const of = (kind: string) => objects.filter((object) => object.kind === kind);
  const [serverObject] = of("DeltaSharingServer");
  if (serverObject === undefined) throw new Error("the example has no DeltaSharingServer");
  return {
    server: server(serverObject.metadata.name, serverObject.spec as DeltaSharingServerSpec),
    shares: of("DeltaShare").map((object) =>
      share(object.metadata.name, object.spec as unknown as DeltaShareSpec),
    ),
    recipients: of("DeltaRecipient").map((object) =>
      recipient(object.metadata.name, object.spec as unknown as DeltaRecipientSpec),
    ),
  };
}
