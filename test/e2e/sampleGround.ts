// The ground the operator's end-to-end tests share: the API server, an S3 server holding the
// example's sample tables under bikes/ in one bucket, a running operator and a scratch folder; and
// the server's pod, run from the operator's Deployment by the stand-in kubelet.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { V1Deployment } from "@kubernetes/client-node";
import { apiVersion } from "../../operator/api/group.ts";
import type { KubeObject } from "../../operator/kube/objects.ts";
import { resourceTypes } from "../../operator/kube/resourceTypes.ts";
import { repoRoot } from "../ground/paths.ts";
import { type S3Ground, startS3 } from "../ground/s3.ts";
import { waitUntil } from "../ground/wait.ts";
import { type Cluster, type RunningOperator, startCluster, startOperator } from "./cluster.ts";
import { type RunningPod, reportDeploymentAvailable, runPod } from "./kubelet.ts";

export const sampleBucket = "delta-sharing-sample";
export const sampleTables = join(repoRoot, "examples", "sample", "tables");

/** The DeltaShare "mobility" of server "sharing": the sample's trips table as bikes.trips. */
export const mobilityShare = () =>
  ({
    apiVersion,
    kind: "DeltaShare",
    metadata: { name: "mobility" },
    spec: {
      serverRef: { name: "sharing" },
      schemas: [{ name: "bikes", tables: [{ name: "trips", location: `s3://${sampleBucket}/bikes/trips` }] }],
    },
  }) as KubeObject;

export interface SampleGround {
  cluster: Cluster;
  s3: S3Ground;
  operator: RunningOperator;
  scratch: string;
  /** The DeltaSharingServer "sharing" on this machine's loopback (the pod network here), reading this S3. */
  serverResource: (
    listen: { port: number; opsPort: number; host?: string },
    spec?: Record<string, unknown>,
  ) => KubeObject;
  /** Runs the pod of the Deployment "sharing" (on podIp if given) and reports the Deployment available. */
  runServerPod: (podIp?: string) => Promise<RunningPod>;
  stop: () => Promise<void>;
}

export async function startSampleGround(identity: string, scratchPrefix: string): Promise<SampleGround> {
  const scratch = await mkdtemp(join(tmpdir(), scratchPrefix));
  const [cluster, s3] = await Promise.all([startCluster(), startS3()]);
  let operator: RunningOperator | undefined;
  let pod: RunningPod | undefined;
  const stop = async () => {
    await pod?.stop();
    await operator?.stop();
    await Promise.all([cluster.stop(), s3.stop()]);
    await rm(scratch, { recursive: true, force: true });
  };
  try {
    await s3.createBucket(sampleBucket);
    await s3.uploadDirectory(sampleTables, sampleBucket, "bikes");
    operator = await startOperator(cluster.kube, { identity });
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    cluster,
    s3,
    operator,
    scratch,
    stop,
    serverResource: ({ port, opsPort, host = "127.0.0.1" }, spec = {}) =>
      ({
        apiVersion,
        kind: "DeltaSharingServer",
        metadata: { name: "sharing" },
        spec: {
          ...spec,
          publicUrl: `http://${host}:${port}`,
          port,
          opsPort,
          bindAddress: host,
          s3: { region: s3.region, endpoint: s3.endpoint, forcePathStyle: true },
        },
      }) as KubeObject,
    runServerPod: async (podIp) => {
      // the operator may write the configuration before it creates the Deployment
      let deployment: V1Deployment | undefined;
      await waitUntil(
        async () => {
          deployment = await cluster.get<V1Deployment>(resourceTypes.deployment, "sharing");
          return deployment !== undefined;
        },
        { timeoutMs: 30_000, what: "the Deployment sharing" },
      );
      assert.ok(deployment);
      pod = await runPod({
        client: cluster.client,
        deployment,
        ...(podIp === undefined ? {} : { podIp }),
        apiServer: cluster.kube.server,
        extraEnv: { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey },
      });
      await reportDeploymentAvailable(cluster.client, deployment);
      return pod;
    },
  };
}
