// `npm run bench -- --huge`: a synthetic 10M-file table in the S3 test server, read by ours with
// paged /query (maxFiles; the server's default page limit of 10,000 applies) from the first page
// to the last. Every file must come back exactly once
// (checked against the file names the generator wrote, one bit each) and the server's peak RSS
// must stay under 4 GiB. Not part of the default run: generating the table alone takes minutes.
import { join } from "node:path";
import { generateManyFiles } from "../test/fixtures/tables.ts";
import type { S3Ground } from "../test/ground/s3.ts";
import { okRequest } from "./http.ts";
import { type BenchCatalog, oursLauncher } from "./servers.ts";
import { bucket, schemaName, shareName } from "./tables.ts";

export interface HugeResult {
  files: number;
  pageSize: number;
  pages: number;
  returned: number;
  duplicates: number;
  missing: number;
  firstPageMs: number;
  totalMs: number;
  peakRss: number;
  generateSeconds: number;
  error?: string;
}

const fileNumber = /part-(\d+)\.parquet/;

export async function runHugeCase(
  s3: S3Ground,
  workDir: string,
  files: number,
  pageSize: number,
  log: (line: string) => void,
): Promise<HugeResult> {
  const started = Date.now();
  const name = `files_${files / 1_000_000}m`;
  const table = await generateManyFiles(join(workDir, name), files, {
    links: "none",
    json: false,
    verify: false,
    timeoutMs: 3_600_000,
  });
  await s3.createBucket(bucket);
  await s3.uploadDirectory(table.location, bucket, name);
  const generateSeconds = (Date.now() - started) / 1000;
  log(`table ${name}: generated and uploaded in ${generateSeconds.toFixed(0)} s`);
  const catalog: BenchCatalog = {
    shares: [
      { name: shareName, schemas: [{ name: schemaName, tables: [{ name, key: `${bucket}/${name}` }] }] },
    ],
  };
  const token = `huge-${Math.random().toString(36).slice(2)}`;
  const server = await oursLauncher(s3, catalog, workDir, token).start();
  const seen = new Uint8Array(Math.ceil((files + 1) / 8));
  const result: HugeResult = {
    files,
    pageSize,
    pages: 0,
    returned: 0,
    duplicates: 0,
    missing: 0,
    firstPageMs: Number.NaN,
    totalMs: Number.NaN,
    peakRss: Number.NaN,
    generateSeconds,
  };
  const url = `${server.base}/shares/${shareName}/schemas/${schemaName}/tables/${name}/query`;
  const begin = process.hrtime.bigint();
  try {
    let pageToken: string | undefined;
    // the server caps a page at its queryTablePageSizeLimit (10,000 by default): follow the tokens
    for (let page = 0; page <= files; page++) {
      const answer = await okRequest({
        method: "POST",
        url,
        token,
        body: { maxFiles: pageSize, ...(pageToken ? { pageToken } : {}) },
        keepBody: true,
        timeoutMs: 1_800_000,
      });
      if (page === 0) result.firstPageMs = answer.ms;
      result.pages++;
      pageToken = undefined;
      for (const line of (answer.body ?? "").split("\n")) {
        if (line.startsWith('{"file"')) {
          const number = Number(fileNumber.exec(line)?.[1] ?? Number.NaN);
          result.returned++;
          const bit = 1 << (number % 8);
          const byte = Math.floor(number / 8);
          if (((seen[byte] ?? 0) & bit) !== 0) result.duplicates++;
          seen[byte] = (seen[byte] ?? 0) | bit;
        } else if (line.startsWith('{"endStreamAction"')) {
          pageToken = (JSON.parse(line) as { endStreamAction: { nextPageToken?: string } }).endStreamAction
            .nextPageToken;
        }
      }
      if (page % 10 === 0)
        log(
          `page ${page + 1}: ${result.returned} files so far, ${(server.peakRss() / 2 ** 20).toFixed(0)} MiB peak RSS`,
        );
      if (!pageToken) break;
    }
    result.totalMs = Number(process.hrtime.bigint() - begin) / 1e6;
    // the generator names N+1 files (version 1 removes the first and adds one); N are active
    let present = 0;
    for (let n = 0; n <= files; n++) if (((seen[Math.floor(n / 8)] ?? 0) & (1 << (n % 8))) !== 0) present++;
    result.missing = files - present;
  } catch (error) {
    result.error = error instanceof Error ? error.message.slice(0, 500) : String(error);
  } finally {
    result.peakRss = server.peakRss();
    await server.stop();
  }
  return result;
}
