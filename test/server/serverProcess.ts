// A sharing server in a process of its own (`node server/main.ts --config …`), on a free loopback
// port: for tests that need two replicas that share nothing but their configuration and signing key.
import { join } from "node:path";
import { repoRoot } from "../ground/paths.ts";
import { startProcess } from "../ground/process.ts";

export interface ServerProcess {
  endpoint: string;
  output: () => string;
  stop: () => Promise<void>;
}

const listening = /"url":"(http:\/\/127\.0\.0\.1:\d+)"[^\n]*sharing server listening/;

export async function startServerProcess(name: string, configPath: string): Promise<ServerProcess> {
  const started = await startProcess({
    name,
    command: process.execPath,
    args: [join(repoRoot, "server", "main.ts"), "--config", configPath],
    cwd: repoRoot,
    ready: (output) => listening.test(output),
    readyTimeoutMs: 30_000,
  });
  const url = listening.exec(started.output())?.[1] as string;
  return { endpoint: `${url}/delta-sharing`, output: started.output, stop: started.stop };
}
