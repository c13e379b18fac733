// How long 1,000 DeltaRecipients take to be Accepted (token made, profile Secret written, token
// hash in the server's configuration, status reported; Ready also waits for server pods, which
// do not run here) on the test ground's real API server, with
// the operator running as its container would. Not a test: it prints one JSON result.
//
//   node bench/operator-recipients.ts [--recipients 1000] [--concurrency 8]
import { availableParallelism, loadavg } from "node:os";
import { parseArgs } from "node:util";
import type { V1Secret } from "@kubernetes/client-node";
import pino from "pino";
import { parse } from "yaml";
import { apiVersion } from "../operator/api/group.ts";
import { Informer } from "../operator/kube/informer.ts";
import type { KubeObject } from "../operator/kube/objects.ts";
import { resourceTypes } from "../operator/kube/resourceTypes.ts";
import { startCluster, startOperator } from "../test/e2e/cluster.ts";
import { applyServerAndShare, type WithStatus } from "../test/e2e/resources.ts";
import { waitUntil } from "../test/ground/wait.ts";

const { values } = parseArgs({
  options: {
    recipients: { type: "string", default: "1000" },
    concurrency: { type: "string", default: "8" },
  },
});
const count = Number(values.recipients);

/** Sum of a Prometheus metric's samples whose labels include every given pair. */
function metric(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split("\n")) {
    const match = /^([a-z_]+)(?:\{([^}]*)\})? ([0-9.e+-]+)$/.exec(line);
    if (match?.[1] !== name) continue;
    const present = match[2] ?? "";
    if (Object.entries(labels).every(([key, value]) => present.includes(`${key}="${value}"`)))
      sum += Number(match[3]);
  }
  return sum;
}

const loadBefore = loadavg()[0];
const cluster = await startCluster();
const operator = await startOperator(cluster.kube, {
  identity: "bench",
  args: [`--concurrency=${values.concurrency}`, "--log-level=warn"],
});
try {
  await applyServerAndShare(cluster, 2);

  // watched, not listed: polling a thousand objects would load the API server being measured
  const ready = new Set<string>();
  let lastReadyAt = 0;
  const watching = new AbortController();
  const seen = (recipient: WithStatus) => {
    const isReady = recipient.status?.conditions?.some((c) => c.type === "Accepted" && c.status === "True");
    if (isReady && !ready.has(recipient.metadata.name)) {
      ready.add(recipient.metadata.name);
      lastReadyAt = Date.now();
    }
  };
  const informer = new Informer<WithStatus>({
    name: "bench",
    client: cluster.client,
    type: resourceTypes.recipient,
    namespace: "default",
    handlers: { added: seen, updated: seen },
    logger: pino({ level: "silent" }),
  });
  informer.run(watching.signal);
  await informer.waitForSync();

  const started = Date.now();
  const names = Array.from({ length: count }, (_, index) => `reader-${String(index).padStart(5, "0")}`);
  for (let index = 0; index < names.length; index += 25) {
    await Promise.all(
      names.slice(index, index + 25).map((name) =>
        cluster.apply({
          apiVersion,
          kind: "DeltaRecipient",
          metadata: { name },
          spec: { serverRef: { name: "sharing" }, shares: ["sales"], token: { lifetime: "2160h" } },
        } as KubeObject),
      ),
    );
  }
  const appliedMs = Date.now() - started;
  await waitUntil(() => ready.size === count, {
    timeoutMs: 600_000,
    intervalMs: 50,
    what: `${count} recipients to be Ready`,
  });
  const readyMs = lastReadyAt - started;
  watching.abort();
  const secret = await cluster.get<V1Secret>(resourceTypes.secret, "sharing-config");
  const configText = Buffer.from(secret?.data?.["config.yaml"] ?? "", "base64").toString("utf8");
  const config = parse(configText) as { recipients?: unknown[] };
  const metrics = await (await fetch(`${operator.healthUrl}/metrics`)).text();
  const result = {
    recipients: count,
    concurrency: Number(values.concurrency),
    appliedMs,
    allReadyMs: readyMs,
    readyAfterLastApplyMs: readyMs - appliedMs,
    targetMs: 30_000,
    // the machine is shared: the API server's speed depends on what else runs
    loadAverage1m: { before: loadBefore, after: loadavg()[0] },
    cpus: availableParallelism(),
    configRecipients: config.recipients?.length ?? 0,
    configBytes: configText.length,
    reconciles: Object.fromEntries(
      ["server", "share", "recipient"].map((kind) => [
        kind,
        {
          count: metric(metrics, "delta_sharing_operator_reconcile_total", { kind, result: "success" }),
          errors: metric(metrics, "delta_sharing_operator_reconcile_total", { kind, result: "error" }),
          seconds: metric(metrics, "delta_sharing_operator_reconcile_duration_seconds_sum", { kind }),
        },
      ]),
    ),
    writes: Object.fromEntries(
      [...metrics.matchAll(/^delta_sharing_operator_api_writes_total\{resource="([^"]+)"\} (\d+)/gm)].map(
        (match) => [match[1], Number(match[2])],
      ),
    ),
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} finally {
  await operator.stop();
  await cluster.stop();
}
