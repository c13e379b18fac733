// Asking one server pod what it serves: GET /status on its ops port (see the ops contract). Only
// the fields the operator judges by are read; unknown keys are ignored, as the contract asks.
export type TableState = "ok" | "notFound" | "unreadable" | "pending";

export interface TableHealth {
  share: string;
  schema: string;
  table: string;
  location: string;
  state: TableState;
  message: string | null;
}

export interface OpsStatus {
  ready: boolean;
  configSha256: string;
  tables: TableHealth[];
}

const tableStates = new Set<string>(["ok", "notFound", "unreadable", "pending"]);
const statusTimeoutMs = 3000;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function tableOf(value: unknown): TableHealth | undefined {
  if (!isRecord(value)) return undefined;
  const { share, schema, table, location, state, message } = value;
  if (typeof share !== "string" || typeof schema !== "string" || typeof table !== "string") return undefined;
  if (typeof state !== "string" || !tableStates.has(state)) return undefined;
  return {
    share,
    schema,
    table,
    location: typeof location === "string" ? location : "",
    state: state as TableState,
    message: typeof message === "string" ? message : null,
  };
}

/** The status document's fields the operator reads, or an error naming what is wrong with it. */
export function readOpsStatus(document: unknown): OpsStatus | { error: string } {
  if (!isRecord(document)) return { error: "the status document is not a JSON object" };
  const config = document.config;
  const sha256 = isRecord(config) ? config.sha256 : undefined;
  if (typeof sha256 !== "string" || !/^[0-9a-f]{64}$/.test(sha256))
    return { error: "the status document names no config.sha256" };
  const tables = Array.isArray(document.tables) ? document.tables.map(tableOf) : [];
  return {
    ready: document.ready === true,
    configSha256: sha256,
    tables: tables.filter((table): table is TableHealth => table !== undefined),
  };
}

/** GET {baseUrl}/status, bounded in time; never throws. */
export async function fetchOpsStatus(baseUrl: string): Promise<OpsStatus | { error: string }> {
  try {
    const response = await fetch(`${baseUrl}/status`, { signal: AbortSignal.timeout(statusTimeoutMs) });
    if (!response.ok) {
      await response.body?.cancel();
      return { error: `GET /status answered ${response.status}` };
    }
    return readOpsStatus(await response.json());
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}
