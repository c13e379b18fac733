// The server's structured logger. Authorization headers never reach a log line, and neither do
// signed URLs' query strings (which carry signatures).
import pino, { type Logger } from "pino";

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: "delta-sharing-server" },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          "req.headers.authorization",
          "headers.authorization",
          "*.bearerToken",
          "bearerToken",
          "token",
        ],
        censor: "[redacted]",
      },
    },
    destination,
  );
}
