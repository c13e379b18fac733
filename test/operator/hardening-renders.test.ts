// Issue 13, reproductions 1 and 2 on the operator's side: the Service exposes the data port only
// (never the ops port with metrics and readiness details), and trustedProxies, the rate limits and
// externalTrafficPolicy reach the server's configuration and Service; a PodMonitor scrapes `ops`.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { renderDeployment } from "../../operator/render/deployment.ts";
import { renderPodMonitor } from "../../operator/render/podMonitor.ts";
import { renderServerConfig, serverConfigText } from "../../operator/render/serverConfig.ts";
import { renderService } from "../../operator/render/service.ts";
import { parseConfigText } from "../../server/config/load.ts";
import { server } from "./resources.ts";

describe("the server's objects keep operations off the recipients' path", () => {
  it("Service: only the data port, with externalTrafficPolicy when asked", () => {
    const spec = {
      port: 8443,
      opsPort: 9443,
      service: { type: "LoadBalancer" as const, externalTrafficPolicy: "Local" as const },
    };
    const service = renderService(server("s", spec));
    assert.deepEqual(
      service.spec?.ports?.map((port) => [port.name, port.targetPort]),
      [["http", "http"]],
    );
    assert.equal(service.spec?.externalTrafficPolicy, "Local");
    assert.equal(renderService(server("s")).spec?.externalTrafficPolicy, undefined);
    const ports = renderDeployment(server("s", spec), { defaultImage: "x" }).spec?.template.spec
      ?.containers[0]?.ports;
    assert.deepEqual(
      ports?.map((port) => [port.name, port.containerPort]),
      [
        ["http", 8443],
        ["ops", 9443],
      ],
    );
  });

  it("configuration: ops port, trusted proxies and limits, accepted by the server's own loader", () => {
    const spec = {
      opsPort: 9443,
      trustedProxies: ["10.0.0.0/16"],
      rateLimit: { requestsPerSecond: 5 },
      authFailureLimit: { burst: 50 },
    };
    const text = serverConfigText(renderServerConfig(server("s", spec), [], []));
    const config = parseConfigText(text, "rendered");
    assert.deepEqual(config.ops, { host: "0.0.0.0", port: 9443, tableProbeIntervalSeconds: 60 });
    assert.deepEqual(config.trustedProxies, ["10.0.0.0/16"]);
    assert.deepEqual(config.limits?.rateLimit, { requestsPerSecond: 5, burst: 200 });
    assert.deepEqual(config.limits?.authFailureLimit, { failuresPerSecond: 1, burst: 50 });
    const plain = parseConfigText(serverConfigText(renderServerConfig(server("s"), [], [])), "rendered");
    assert.equal(plain.trustedProxies, undefined);
    assert.equal(plain.ops?.port, 9090);
  });

  it("PodMonitor: only when asked, scraping the ops port of the server's pods", () => {
    assert.equal(renderPodMonitor(server("s")), undefined);
    const monitor = renderPodMonitor(
      server("s", { monitoring: { podMonitor: { interval: "30s", labels: { release: "prom" } } } }),
    );
    assert.deepEqual(monitor?.spec.podMetricsEndpoints, [{ port: "ops", path: "/metrics", interval: "30s" }]);
    assert.equal(monitor?.metadata.labels.release, "prom");
    assert.equal(monitor?.apiVersion, "monitoring.coreos.com/v1");
  });
});
