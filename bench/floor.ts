// The physical floor of a warm /query, measured in the same run as the servers: the time to sign N
// URLs with a cached SigV4 signing key (bench/presign.ts's raw chain) plus to write N file lines
// (JSON.stringify of each line, 64 KiB writes) through a loopback socket to a reader that counts
// the bytes. No server, no table, no HTTP: what any server must at least spend.
import { hash } from "node:crypto";
import { once } from "node:events";
import { type AddressInfo, connect, createServer } from "node:net";
import { cachedKeyPresigner } from "./presign.ts";

const stats =
  '{"numRecords":2,"minValues":{"id":0,"name":"row-0"},"maxValues":{"id":1,"name":"row-1"},"nullCount":{"id":0,"name":0}}';

async function once_(files: number): Promise<number> {
  let received = 0;
  let expected = -1;
  let done: () => void = () => {};
  const all = new Promise<void>((resolve) => {
    done = resolve;
  });
  const server = createServer((socket) => {
    socket.on("data", (chunk: Buffer) => {
      received += chunk.length;
      if (received === expected) done();
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const socket = connect((server.address() as AddressInfo).port, "127.0.0.1");
  await once(socket, "connect");
  const sign = cachedKeyPresigner();
  const ids = Array.from({ length: files }, (_, i) => hash("md5", `part-${i}.parquet`, "hex"));
  const expiresAt = Date.now() + 3_600_000;
  const start = process.hrtime.bigint();
  let sent = 0;
  let batch = "";
  for (let i = 0; i < files; i++) {
    const url = sign(`/bench/files/part-${String(i).padStart(7, "0")}.parquet`);
    const line = {
      file: { url, id: ids[i], partitionValues: {}, size: 741, stats, expirationTimestamp: expiresAt },
    };
    batch += `${JSON.stringify(line)}\n`;
    if (batch.length >= 64 * 1024) {
      sent += Buffer.byteLength(batch);
      if (!socket.write(batch)) await once(socket, "drain");
      batch = "";
    }
  }
  sent += Buffer.byteLength(batch);
  socket.end(batch);
  expected = sent;
  if (received < expected) await all;
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  socket.destroy();
  server.close();
  return ms;
}

/** The floor for N files in ms: the best of `rounds` (the least disturbed by other work). */
export async function measureFloor(files: number, rounds = 3): Promise<number> {
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < rounds; round++) best = Math.min(best, await once_(files));
  return best;
}
