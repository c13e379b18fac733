// Parquet-format file lines of files without deletion vectors, signed a batch at a time: while one
// batch's URLs are signed and its file ids hashed (on the signing thread), the previous batch's
// lines are written. The text is byte for byte what the one-file-at-a-time loop writes.
import type { FileView } from "../delta/fileView.ts";
import { md5OnWorker } from "../storage/workerPresign.ts";
import { type FileIdScheme, fileId } from "./fileIds.ts";
import type { FileSigner } from "./fileSigning.ts";
import { type EncodableFile, fileLineText } from "./parquetLines.ts";

/** Files per signing batch: large enough to pay for a message to the thread, small in memory. */
const batchFiles = 1024;

interface Batch {
  files: EncodableFile[];
  urls: Promise<{ url: string; expiresAt: number }[]>;
  ids: Promise<string[]>;
}

// parquet ids (MD5) hashed on the signing thread when it is up, else here; delta ids (SHA-256) here
async function batchIds(paths: string[], scheme: FileIdScheme): Promise<string[]> {
  const hashed = scheme === "parquet" ? await md5OnWorker(paths) : undefined;
  if (hashed === undefined || hashed.length !== paths.length * 32)
    return paths.map((path) => fileId(path, scheme));
  return paths.map((_, i) => hashed.slice(i * 32, i * 32 + 32));
}

function signBatch(signer: FileSigner, files: Batch["files"]): Batch {
  const paths = files.map((file) => file.path);
  const urls = signer.urls(paths);
  // awaited once the batch before is written; a refusal must not count as unhandled until then
  urls.catch(() => {});
  return { files, urls, ids: batchIds(paths, signer.idScheme) };
}

async function* linesOf(
  batch: Batch,
  version: { version: number; timestamp?: number } | undefined,
  batchChars: number,
): AsyncGenerator<string> {
  const urls = await batch.urls;
  const ids = await batch.ids;
  let text = "";
  for (let i = 0; i < batch.files.length; i++) {
    const file = batch.files[i] as Batch["files"][number];
    const { url, expiresAt } = urls[i] as { url: string; expiresAt: number };
    text += fileLineText(file, { url, expiresAt, id: ids[i] as string }, version);
    if (text.length >= batchChars) {
      yield text;
      text = "";
    }
  }
  if (text !== "") yield text;
}

/** The lines of `views`, in order, as text of about `batchChars` characters a piece. */
export async function* batchedFileLines(
  views: Iterable<FileView>,
  signer: FileSigner,
  version: { version: number; timestamp?: number } | undefined,
  batchChars: number,
): AsyncGenerator<string> {
  let signing: Batch | undefined;
  let files: Batch["files"] = [];
  for (const view of views) {
    files.push({
      path: view.path,
      size: view.size,
      statsJson: view.statsJson,
      partitionJson: view.partitionJson,
    });
    if (files.length < batchFiles) continue;
    const next = signBatch(signer, files);
    files = [];
    if (signing) yield* linesOf(signing, version, batchChars);
    signing = next;
  }
  const last = files.length > 0 ? signBatch(signer, files) : undefined;
  if (signing) yield* linesOf(signing, version, batchChars);
  if (last) yield* linesOf(last, version, batchChars);
}
