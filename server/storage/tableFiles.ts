// The data files of one table, wherever its log says they are: under the table's own location or
// under one of the extra roots its config lists (shallow clones log absolute paths into their
// source table). Every logged path goes through addressOf (loggedPath.ts) before it is checked for
// existence or signed.
import { addressOf, type FileAddress } from "./loggedPath.ts";
import type { SignedUrl, TableStorage, UrlSigner } from "./storage.ts";

export interface TableRoot {
  /** The root as a decoded URI ending in '/' (rootUri). */
  uri: string;
  storage: TableStorage;
}

/** Signs URLs for files under any of the table's roots; each root's signer is made when first needed. */
export interface FileUrlSigner {
  sign(address: FileAddress): Promise<SignedUrl>;
  /** The same without waiting, once the root's signer is made (undefined before). */
  signNow(address: FileAddress): SignedUrl | undefined;
  /** Many at once, in order. */
  signMany(addresses: readonly FileAddress[]): Promise<SignedUrl[]>;
}

export class TableFiles {
  readonly #roots: readonly TableRoot[];
  readonly #uris: readonly string[];

  constructor(roots: readonly TableRoot[]) {
    this.#roots = roots;
    this.#uris = roots.map((root) => root.uri);
  }

  /** Where a logged path is; throws PathRefusedError for one the table may not hand out. */
  address(logged: string): FileAddress {
    return addressOf(logged, this.#uris);
  }

  storageAt(root: number): TableStorage | undefined {
    return this.#roots[root]?.storage;
  }

  #storage(address: FileAddress): TableStorage {
    const storage = this.storageAt(address.root);
    if (!storage) throw new Error(`no storage for root ${address.root}`);
    return storage;
  }

  /** Whether the file a logged path names is there (VACUUM removes files the log still names). */
  exists(logged: string): Promise<boolean> {
    const address = this.address(logged);
    return this.#storage(address).exists(address.key);
  }

  signer(ttlSeconds: number, baseUrl: string): FileUrlSigner {
    const signers = new Map<number, Promise<UrlSigner>>();
    const made = new Map<number, UrlSigner>();
    const signerOf = async (address: FileAddress) => {
      let signer = signers.get(address.root);
      if (!signer) {
        signer = this.#storage(address).urlSigner(ttlSeconds, baseUrl);
        signers.set(address.root, signer);
      }
      const ready = await signer;
      made.set(address.root, ready);
      return ready;
    };
    return {
      sign: async (address) => {
        const ready = await signerOf(address);
        return { url: ready.sign(address.key), expiresAt: ready.expiresAt };
      },
      signMany: async (addresses) => {
        const signed: SignedUrl[] = new Array(addresses.length);
        const byRoot = new Map<number, number[]>();
        addresses.forEach((address, index) => {
          const indexes = byRoot.get(address.root) ?? [];
          indexes.push(index);
          byRoot.set(address.root, indexes);
        });
        for (const indexes of byRoot.values()) {
          const ready = await signerOf(addresses[indexes[0] as number] as FileAddress);
          const keys = indexes.map((index) => (addresses[index] as FileAddress).key);
          const urls = ready.signMany ? await ready.signMany(keys) : keys.map((key) => ready.sign(key));
          indexes.forEach((index, i) => {
            signed[index] = { url: urls[i] as string, expiresAt: ready.expiresAt };
          });
        }
        return signed;
      },
      signNow: (address) => {
        const ready = made.get(address.root);
        return ready && { url: ready.sign(address.key), expiresAt: ready.expiresAt };
      },
    };
  }
}
