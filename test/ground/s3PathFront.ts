// AWS S3 canonicalises the path of a request before checking its SigV4 signature, so `day=1` and
// `day%3D1` name the same key under the same signature; S3Proxy compares the raw path. HTTP
// clients differ here (Python's yarl, under fsspec and so under the official delta-sharing client,
// turns `%3D` back into `=`). This loopback front gives the test ground AWS's behaviour: it
// re-encodes each path segment the way AWS does and passes everything else through untouched, so
// S3Proxy still checks every signature and every expiry itself.
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";

function awsUriEncode(segment: string): string {
  let decoded = segment;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    // not valid percent-encoding: leave it for the backend to refuse
    return segment;
  }
  return encodeURIComponent(decoded).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

export function canonicalPath(rawUrl: string): string {
  const queryAt = rawUrl.indexOf("?");
  const path = queryAt < 0 ? rawUrl : rawUrl.slice(0, queryAt);
  const query = queryAt < 0 ? "" : rawUrl.slice(queryAt);
  return path.split("/").map(awsUriEncode).join("/") + query;
}

export interface PathFront {
  close: () => Promise<void>;
}

export function startPathFront(port: number, backendPort: number): Promise<PathFront> {
  const server: Server = createServer((incoming: IncomingMessage, outgoing: ServerResponse) => {
    const forward = httpRequest(
      {
        host: "127.0.0.1",
        port: backendPort,
        method: incoming.method,
        path: canonicalPath(incoming.url ?? "/"),
        headers: incoming.headers,
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forward.on("error", () => {
      // the backend is down (as in outage tests): the connection drops, as it would at S3
      outgoing.destroy();
    });
    incoming.pipe(forward);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () =>
      resolve({
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      }),
    );
  });
}
