// File ids, as the reference server derives them (DeltaSharingUtils.hashFileId): from the path the
// log records alone, so the same logical file has the same id in every action (add, remove, cdc)
// and every answer (query, changes, pages, refresh), whatever deletion vector it carries. SHA-256
// hex for the delta response format, MD5 hex for parquet.
import { hash } from "node:crypto";
import type { ResponseFormat } from "./capabilities.ts";

export type FileIdScheme = ResponseFormat;

export function fileId(loggedPath: string, scheme: FileIdScheme): string {
  // one-shot hash() skips the per-call digest setup of createHash: it is on the path of every file line
  return hash(scheme === "delta" ? "sha256" : "md5", loggedPath, "hex");
}

/** A stable id for an on-disk deletion vector file, from its logged path. */
export function deletionVectorFileId(dvPath: string): string {
  return hash("md5", `dv\0${dvPath}`, "hex");
}
