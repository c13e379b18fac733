// A test server over the fixture tables, written into a fresh folder that goes when the server
// stops; most such servers share one share "s" with one schema "d".
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Expected, writeFixtureTables } from "../fixtures/tables.ts";
import { type ConfigShape, startTestServer, type TestServer } from "./harness.ts";

export interface FixturePaths {
  /** The fresh folder, removed by stop. */
  dir: string;
  /** Where the fixture tables are: one folder per table, by name. */
  tables: string;
  expected: Expected;
}

export interface FixtureServer extends FixturePaths {
  server: TestServer;
  stop: () => Promise<void>;
}

/** Share "s" with schema "d" holding these tables. */
export function shareOf(tables: Record<string, unknown>[]) {
  return { name: "s", schemas: [{ name: "d", tables }] };
}

export async function startFixtureServer(
  prefix: string,
  config: (paths: FixturePaths) => ConfigShape | Promise<ConfigShape>,
): Promise<FixtureServer> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const tables = join(dir, "tables");
  const expected = await writeFixtureTables(tables);
  const paths = { dir, tables, expected };
  let server: TestServer;
  try {
    server = await startTestServer(await config(paths));
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    ...paths,
    server,
    stop: async () => {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
