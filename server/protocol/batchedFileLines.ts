// Parquet-format file lines of files without deletion vectors, signed a batch at a time: while one
// batch's URLs are signed (on the signing thread, for S3), the previous batch's lines are written.
// The text is byte for byte what the one-file-at-a-time loop writes.
import type { FileView } from "../delta/fileView.ts";
import { fileId } from "./fileIds.ts";
import type { FileSigner } from "./fileSigning.ts";
import { type EncodableFile, fileLineText } from "./parquetLines.ts";

/** Files per signing batch: large enough to pay for a message to the thread, small in memory. */
const batchFiles = 1024;

interface Batch {
  files: (EncodableFile & { id: string })[];
  urls: Promise<{ url: string; expiresAt: number }[]>;
}

function signBatch(signer: FileSigner, files: Batch["files"]): Batch {
  const urls = signer.urls(files.map((file) => file.path));
  // awaited once the batch before is written; a refusal must not count as unhandled until then
  urls.catch(() => {});
  return { files, urls };
}

async function* linesOf(
  batch: Batch,
  version: { version: number; timestamp?: number } | undefined,
  batchChars: number,
): AsyncGenerator<string> {
  const urls = await batch.urls;
  let text = "";
  for (let i = 0; i < batch.files.length; i++) {
    const file = batch.files[i] as Batch["files"][number];
    const { url, expiresAt } = urls[i] as { url: string; expiresAt: number };
    text += fileLineText(file, { url, expiresAt, id: file.id }, version);
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
    const path = view.path;
    const id = (signer.idScheme === "parquet" ? view.fileIdHex : undefined) ?? fileId(path, signer.idScheme);
    files.push({ path, size: view.size, statsJson: view.statsJson, partitionJson: view.partitionJson, id });
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
