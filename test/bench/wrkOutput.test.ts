import assert from "node:assert/strict";
import { test } from "node:test";
import { parseWrk } from "../../bench/load.ts";

const report = `Running 20s test @ http://127.0.0.1:41235/delta-sharing/shares/bench/schemas/tables/tables/files_1k/query
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   520.12ms  210.33ms   1.90s    70.12%
    Req/Sec    15.21      8.10    40.00     60.00%
  Latency Distribution
     50%  480.00ms
     75%  610.00ms
     90%  800.00ms
     99%    1.20s
  600 requests in 20.02s, 370.00MB read
  Socket errors: connect 0, read 1, write 0, timeout 2
  Non-2xx or 3xx responses: 3
Requests/sec:     29.97
Transfer/sec:     18.48MB
`;

test("a wrk --latency report gives throughput, percentiles in ms and every kind of error", () => {
  assert.deepEqual(parseWrk(report, 16, 20), {
    connections: 16,
    seconds: 20,
    requests: 600,
    requestsPerSecond: 29.97,
    p50Ms: 480,
    p99Ms: 1200,
    errors: 6,
  });
});

test("microsecond latencies and a clean run", () => {
  const clean = report
    .replace("     50%  480.00ms", "     50%  850.00us")
    .replace(/\s+Socket errors.*\n/, "\n")
    .replace(/\s+Non-2xx.*\n/, "\n");
  const parsed = parseWrk(clean, 16, 20);
  assert.equal(parsed.p50Ms, 0.85);
  assert.equal(parsed.errors, 0);
});
