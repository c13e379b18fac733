// Entry point of the sharing server: `node server/main.ts --config <file>`.
import { parseArgs } from "node:util";
import { ConfigError } from "./config/load.ts";
import { startServer } from "./server.ts";

const { values } = parseArgs({
  options: { config: { type: "string", short: "c" } },
  strict: true,
});

const configPath = values.config ?? process.env.DELTA_SHARING_CONFIG;
if (!configPath) {
  process.stderr.write("usage: delta-sharing-server --config <server.yaml>\n");
  process.exit(2);
}

try {
  const server = await startServer(configPath);
  const stop = async () => {
    await server.close();
    process.exit(0);
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  // SIGHUP re-reads the configuration at once (it is also watched)
  process.on("SIGHUP", () => void server.reload());
} catch (error) {
  const message = error instanceof ConfigError || error instanceof Error ? error.message : String(error);
  process.stderr.write(`delta-sharing-server: ${message}\n`);
  process.exit(1);
}
