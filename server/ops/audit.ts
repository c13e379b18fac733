// The audit trail: one JSON event per data request, to its own destination (stdout, stderr or a
// file), apart from the operational log. Built from what the request already carries (route
// parameters, body, response headers, the file selection report) plus a few notes routes leave in
// `request.audit`. It holds no token, token hash or URL: a file URL's path carries its signature.
// Writes are asynchronous and buffered up to a bound: a slow or stuck destination (a full pipe, a
// slow disk) drops events, counted in a metric, and never blocks the event loop.
import pino, { type Logger } from "pino";
import type { AuditConfig } from "../config/schema.ts";

/** What routes note for the audit beyond what the request shows by itself. */
export interface AuditNotes {
  hintProblems?: readonly { hint: string }[];
  errorCode?: string;
  /** The recipient a refused request proved to be (a valid token from an address not allowed). */
  recipient?: string;
  /** The table's partition filter that chose the recipient's slice. */
  partitionFilter?: string;
  /** When temporary table credentials handed out expire (epoch ms). */
  credentialsExpireAt?: number;
}

export interface AuditEvent {
  requestId: string;
  recipient: string | null;
  kind: string;
  method: string;
  share: string | null;
  schema: string | null;
  table: string | null;
  tableVersion: number | null;
  filesReturned: number | null;
  /** Temporary table credentials handed out: when they expire (ISO time). */
  credentialsExpireAt: string | null;
  limitHint: number | null;
  predicates: {
    sql: string[];
    json: string | null;
    unusable: number;
    pruned: boolean;
    filesPruned: number;
  } | null;
  status: number;
  errorCode: string | null;
  /** The partition filter that applied (as configured), or null for a table without one. */
  partitionFilter: string | null;
  aborted: boolean;
  durationMs: number;
  userAgent: string | null;
  clientAddress: string;
}

export interface AuditSink {
  write(event: AuditEvent): void;
  close(): void;
}

const maxBufferedBytes = 16 * 1024 * 1024;

function openSink(config: AuditConfig, dropped: () => void): AuditSink {
  const dest =
    config.destination === "file" ? (config.file ?? "audit.log") : config.destination === "stderr" ? 2 : 1;
  const stream = pino.destination({
    dest,
    sync: false,
    maxLength: maxBufferedBytes,
    mkdir: typeof dest === "string",
  });
  stream.on("drop", dropped);
  // a destination that fails (a file that cannot be opened) costs the audit, not the server
  stream.on("error", () => dropped());
  const logger: Logger = pino({ base: { log: "audit" }, timestamp: pino.stdTimeFunctions.isoTime }, stream);
  return {
    write: (event) => logger.info(event, "data request"),
    close: () => {
      try {
        if (typeof dest === "string") stream.end();
        else stream.flushSync();
      } catch {
        // not open yet, or the destination is busy: what is buffered is lost with the process
      }
    },
  };
}

/** Audit sinks by destination, kept for the life of the server so a reload does not reopen files. */
export class AuditSinks {
  readonly #sinks = new Map<string, AuditSink>();
  readonly #dropped: () => void;

  constructor(dropped: () => void = () => {}) {
    this.#dropped = dropped;
  }

  sink(config: AuditConfig): AuditSink {
    const key = `${config.destination}\0${config.file ?? ""}`;
    let sink = this.#sinks.get(key);
    if (!sink) {
      sink = openSink(config, this.#dropped);
      this.#sinks.set(key, sink);
    }
    return sink;
  }

  close(): void {
    for (const sink of this.#sinks.values()) sink.close();
    this.#sinks.clear();
  }
}

const limit = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);

export function predicatesOf(
  body: unknown,
  notes: AuditNotes,
  pruned: number | undefined,
): AuditEvent["predicates"] {
  if (typeof body !== "object" || body === null) return null;
  const { predicateHints, jsonPredicateHints } = body as {
    predicateHints?: unknown;
    jsonPredicateHints?: unknown;
  };
  const sql = Array.isArray(predicateHints)
    ? predicateHints.slice(0, 20).map((hint) => limit(String(hint), 512))
    : [];
  const json = typeof jsonPredicateHints === "string" ? limit(jsonPredicateHints, 2048) : null;
  if (sql.length === 0 && json === null) return null;
  return {
    sql,
    json,
    unusable: notes.hintProblems?.length ?? 0,
    pruned: (pruned ?? 0) > 0,
    filesPruned: pruned ?? 0,
  };
}
