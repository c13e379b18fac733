// Tables in S3 (s3:// and s3a://). Reads go through the SDK; presigned URLs are signed locally with
// the same credentials, region, endpoint and path style the reads use, so they work against custom
// endpoints too (the reference server signs for amazonaws.com regardless: delta-sharing#753).
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  type S3Client,
} from "@aws-sdk/client-s3";
import { checkedKey } from "./loggedPath.ts";
import { isS3NotFound, translateS3Error } from "./s3Errors.ts";
import { createSigner, signatureChars } from "./sigv4Presign.ts";
import type { RandomAccessFile, StoredObject, TableStorage, UrlSigner } from "./storage.ts";
import { prepareSigningThread, signOnWorker } from "./workerPresign.ts";

const unreservedPath = /^[A-Za-z0-9\-._~/]*$/;

/** RFC 3986 encoding of an S3 key for a URL path: everything but unreserved characters and '/'. */
export function encodeS3Key(key: string): string {
  if (unreservedPath.test(key)) return key;
  return key
    .split("/")
    .map((segment) =>
      encodeURIComponent(segment).replace(
        /[!'()*]/g,
        (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
      ),
    )
    .join("/");
}

interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

export class S3TableStorage implements TableStorage {
  readonly location: string;
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #prefix: string;

  constructor(location: string, client: S3Client, bucket: string, prefix: string) {
    this.location = location;
    this.#client = client;
    this.#bucket = bucket;
    this.#prefix = prefix === "" || prefix.endsWith("/") ? prefix : `${prefix}/`;
    prepareSigningThread();
  }

  #key(path: string): string {
    return this.#prefix + checkedKey(path);
  }

  /** Every page of a delimited listing under `prefix`. */
  async *#pages(prefix: string, startAfter?: string): AsyncIterable<ListObjectsV2CommandOutput> {
    let continuationToken: string | undefined;
    do {
      const page = await this.#client
        .send(
          new ListObjectsV2Command({
            Bucket: this.#bucket,
            Prefix: prefix,
            Delimiter: "/",
            ...(startAfter !== undefined ? { StartAfter: startAfter } : {}),
            ...(continuationToken ? { ContinuationToken: continuationToken } : {}),
          }),
        )
        .catch((error: unknown) => {
          throw translateS3Error(error, `s3://${this.#bucket}/${prefix}`);
        });
      yield page;
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken);
  }

  async folders(limit: number): Promise<string[]> {
    const names: string[] = [];
    for await (const page of this.#pages(this.#prefix)) {
      for (const common of page.CommonPrefixes ?? []) {
        const name = common.Prefix?.slice(this.#prefix.length).replace(/\/$/, "");
        if (name) names.push(name);
        if (names.length >= limit) return names;
      }
    }
    return names;
  }

  async *list(dir: string, startAfter?: string): AsyncIterable<StoredObject> {
    const pages = this.#pages(
      `${this.#key(dir)}/`,
      startAfter === undefined ? undefined : this.#key(startAfter),
    );
    for await (const page of pages) {
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue;
        yield {
          path: object.Key.slice(this.#prefix.length),
          size: object.Size ?? 0,
          ...(object.LastModified ? { modified: object.LastModified.getTime() } : {}),
        };
      }
    }
  }

  async read(path: string): Promise<Uint8Array | undefined> {
    const key = this.#key(path);
    try {
      const object = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
      return object.Body ? await object.Body.transformToByteArray() : new Uint8Array();
    } catch (error) {
      if (isS3NotFound(error)) return undefined;
      throw translateS3Error(error, `s3://${this.#bucket}/${key}`);
    }
  }

  async open(path: string, size?: number): Promise<RandomAccessFile> {
    const key = this.#key(path);
    const where = `s3://${this.#bucket}/${key}`;
    const byteLength =
      size ??
      (await this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: key })).then(
        (head) => head.ContentLength ?? 0,
        (error: unknown) => {
          throw translateS3Error(error, where);
        },
      ));
    const client = this.#client;
    const bucket = this.#bucket;
    return {
      byteLength,
      async slice(start: number, end = byteLength): Promise<ArrayBuffer> {
        if (end <= start) return new ArrayBuffer(0);
        try {
          const object = await client.send(
            new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${start}-${end - 1}` }),
          );
          const bytes = object.Body ? await object.Body.transformToByteArray() : new Uint8Array();
          return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
        } catch (error) {
          throw translateS3Error(error, where);
        }
      },
    };
  }

  async exists(path: string): Promise<boolean> {
    const key = this.#key(path);
    try {
      await this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: key }));
      return true;
    } catch (error) {
      if (isS3NotFound(error)) return false;
      throw translateS3Error(error, `s3://${this.#bucket}/${key}`);
    }
  }

  async #baseUrl(): Promise<URL> {
    const config = this.#client.config;
    const endpoint = await config.endpointProvider({
      Bucket: this.#bucket,
      Region: await config.region(),
      ForcePathStyle: config.forcePathStyle,
      UseFIPS: await config.useFipsEndpoint(),
      UseDualStack: await config.useDualstackEndpoint(),
      ...(config.endpoint ? { Endpoint: formatEndpoint(await config.endpoint()) } : {}),
    });
    return endpoint.url;
  }

  async urlSigner(ttlSeconds: number): Promise<UrlSigner> {
    const credentials = (await this.#client.config.credentials()) as Credentials;
    const now = Date.now();
    const credentialSeconds = credentials.expiration
      ? Math.floor((credentials.expiration.getTime() - now) / 1000)
      : Number.POSITIVE_INFINITY;
    const expiresIn = Math.max(1, Math.min(ttlSeconds, credentialSeconds));
    const base = await this.#baseUrl();
    const options = {
      credentials: {
        accessKeyId: credentials.accessKeyId,
        secretAccessKey: credentials.secretAccessKey,
        ...(credentials.sessionToken ? { sessionToken: credentials.sessionToken } : {}),
      },
      region: await this.#client.config.region(),
      host: base.host,
      expiresInSeconds: expiresIn,
      signingDate: new Date(now),
    };
    const { query, signature } = createSigner(options);
    const origin = `${base.protocol}//${base.host}`;
    const basePath = base.pathname.endsWith("/") ? base.pathname : `${base.pathname}/`;
    const encode = (path: string) => basePath + encodeS3Key(this.#key(path));
    return {
      expiresAt: now + expiresIn * 1000,
      sign: (path) => {
        const encodedPath = encode(path);
        return `${origin}${encodedPath}?${query}&X-Amz-Signature=${signature(encodedPath)}`;
      },
      signMany: async (paths) => {
        const encodedPaths = paths.map(encode);
        const signed = await signOnWorker(options, encodedPaths);
        const signatures = signed?.length === encodedPaths.length * signatureChars ? signed : undefined;
        return encodedPaths.map((encodedPath, i) => {
          const one =
            signatures?.slice(i * signatureChars, (i + 1) * signatureChars) ?? signature(encodedPath);
          return `${origin}${encodedPath}?${query}&X-Amz-Signature=${one}`;
        });
      },
    };
  }

  async probe(): Promise<void> {
    const key = this.#key("_delta_log");
    await this.#client
      .send(new ListObjectsV2Command({ Bucket: this.#bucket, Prefix: `${key}/`, MaxKeys: 1 }))
      .catch((error: unknown) => {
        throw translateS3Error(error, `s3://${this.#bucket}/${key}`);
      });
  }
}

function formatEndpoint(endpoint: {
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
}): string {
  const port = endpoint.port ? `:${endpoint.port}` : "";
  return `${endpoint.protocol}//${endpoint.hostname}${port}${endpoint.path}`;
}
