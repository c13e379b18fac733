// `npm start`: serves the bundled sample share (tables made by deltalake, in examples/sample) from
// local disk, with a fresh random token each start, and prints where the recipient profile is.
import { randomBytes } from "node:crypto";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { stringify } from "yaml";
import { startServer } from "../server/server.ts";

const { values } = parseArgs({
  options: {
    host: { type: "string", default: process.env.HOST ?? "127.0.0.1" },
    port: { type: "string", default: process.env.PORT ?? "8080" },
    dir: { type: "string", default: join(tmpdir(), "delta-sharing-operator-sample") },
  },
});

const tablesDir = resolve(dirname(fileURLToPath(import.meta.url)), "..", "examples", "sample", "tables");
const tableNames = (await readdir(tablesDir, { withFileTypes: true }))
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

const token = randomBytes(32).toString("base64url");
const port = Number(values.port);
const config = {
  version: 1,
  host: values.host,
  port,
  // metrics and status on a loopback port of their own, free whatever PORT says
  ops: { host: "127.0.0.1", port: 0 },
  endpoint: "/delta-sharing",
  authorization: { bearerToken: token },
  shares: [
    {
      name: "sample",
      schemas: [
        {
          name: "default",
          tables: tableNames.map((name) => ({ name, location: join(tablesDir, name), historyShared: true })),
        },
      ],
    },
  ],
};

await mkdir(values.dir, { recursive: true, mode: 0o700 });
const configPath = join(values.dir, "server.yaml");
await writeFile(configPath, stringify(config), { mode: 0o600 });
const server = await startServer(configPath);
const address = server.app.server.address();
const boundPort = typeof address === "object" && address ? address.port : port;
const endpoint = `http://${values.host}:${boundPort}/delta-sharing`;
const profilePath = join(values.dir, "sample.share");
await writeFile(
  profilePath,
  `${JSON.stringify({ shareCredentialsVersion: 1, endpoint, bearerToken: token }, null, 2)}\n`,
  { mode: 0o600 },
);

const firstTable = tableNames[0] ?? "trips";
process.stdout.write(
  [
    "",
    `Serving the sample share at ${endpoint}`,
    `Recipient profile: ${profilePath}`,
    `Metrics and status: ${server.opsUrl}/metrics, ${server.opsUrl}/status`,
    `Tables: ${tableNames.map((name) => `sample.default.${name}`).join(", ")}`,
    "Read one with the official Python client (pip install delta-sharing):",
    `  python3 -c "import delta_sharing; print(delta_sharing.load_as_pandas('${profilePath}#sample.default.${firstTable}'))"`,
    "",
  ].join("\n"),
);

const stop = async () => {
  await server.close();
  process.exit(0);
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
