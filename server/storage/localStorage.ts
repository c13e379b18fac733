// Tables on local disk. With no cloud account at all, the server serves the data files itself,
// under its own route, with signed and expiring URLs (see fileUrls.ts).
import { open, readdir, readFile, stat } from "node:fs/promises";
import { basename } from "node:path";
import type { FileUrlCodec } from "./fileUrls.ts";
import { checkedKey } from "./loggedPath.ts";
import type { RandomAccessFile, StoredObject, TableStorage, UrlSigner } from "./storage.ts";
import { prepareSigningThread } from "./workerPresign.ts";

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === "ENOENT" || code === "ENOTDIR";
}

/** The readable last segment of a local file URL. */
export function fileUrlName(path: string): string {
  return basename(path).replace(/[^A-Za-z0-9._-]/g, "_");
}

export class LocalTableStorage implements TableStorage {
  readonly location: string;
  readonly #root: string;
  readonly #tableId: string;
  readonly #codec: FileUrlCodec;
  /** Which of the table's roots this is (0: the table's own location, i: its i-th extra root). */
  readonly #rootIndex: number;

  constructor(location: string, root: string, tableId: string, codec: FileUrlCodec, rootIndex = 0) {
    this.location = location;
    this.#root = root.replace(/\/+$/, "");
    this.#tableId = tableId;
    this.#codec = codec;
    this.#rootIndex = rootIndex;
    prepareSigningThread();
  }

  // concatenated, not joined: the key was checked not to escape, and is kept as it is
  #resolve(path: string): string {
    return `${this.#root}/${checkedKey(path)}`;
  }

  async folders(limit: number): Promise<string[]> {
    const entries = await readdir(this.#root, { withFileTypes: true }).catch((error: unknown) => {
      if (isMissing(error)) return [];
      throw error;
    });
    return entries
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort()
      .slice(0, limit);
  }

  async *list(dir: string, startAfter?: string): AsyncIterable<StoredObject> {
    let entries: string[];
    try {
      entries = await readdir(this.#resolve(dir));
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
    const names = entries
      .map((name) => `${dir}/${name}`)
      .filter((path) => startAfter === undefined || path > startAfter);
    names.sort();
    for (const path of names) {
      const info = await stat(this.#resolve(path)).catch(() => undefined);
      if (info?.isFile()) yield { path, size: info.size, modified: Math.floor(info.mtimeMs) };
    }
  }

  async read(path: string): Promise<Uint8Array | undefined> {
    try {
      return await readFile(this.#resolve(path));
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async open(path: string, size?: number): Promise<RandomAccessFile> {
    const file = this.#resolve(path);
    const byteLength = size ?? (await stat(file)).size;
    return {
      byteLength,
      async slice(start: number, end = byteLength): Promise<ArrayBuffer> {
        const handle = await open(file, "r");
        try {
          const buffer = new Uint8Array(Math.max(0, end - start));
          await handle.read(buffer, 0, buffer.length, start);
          return buffer.buffer;
        } finally {
          await handle.close();
        }
      },
    };
  }

  async exists(path: string): Promise<boolean> {
    const info = await stat(this.#resolve(path)).catch((error: unknown) => {
      if (isMissing(error)) return undefined;
      throw error;
    });
    return info?.isFile() === true;
  }

  /** The table's folder, for the file route's check that a file lies inside it. */
  get rootDirectory(): string {
    return this.#root;
  }

  async urlSigner(ttlSeconds: number, baseUrl: string): Promise<UrlSigner> {
    const expiresAt = Date.now() + ttlSeconds * 1000;
    return {
      expiresAt,
      sign: (path) => {
        const token = this.#codec.encode({ tableId: this.#tableId, root: this.#rootIndex, path, expiresAt });
        return `${baseUrl}/files/${fileUrlName(path)}?sp=r&sig=${token}`;
      },
      signMany: async (paths) => {
        const tokens = await this.#codec.encodeMany(
          paths.map((path) => ({ tableId: this.#tableId, root: this.#rootIndex, path, expiresAt })),
        );
        return paths.map((path, i) => `${baseUrl}/files/${fileUrlName(path)}?sp=r&sig=${tokens[i]}`);
      },
    };
  }

  async probe(): Promise<void> {
    await stat(this.#root);
  }
}
