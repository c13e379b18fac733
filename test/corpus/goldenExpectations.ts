// What the corpus test knows of particular golden tables by name, each with its reason. Nothing
// here excuses a table by itself: the verdict still needs the raw answer to show it (verdicts.ts).

/** Tables whose log names data files the corpus does not hold (Delta's generators wrote logs by
 * hand, or deleted the files after): the server answers from the log, so the file URL answers 404. */
export const tablesMissingDataFiles: string[] = [
  // the log adds files "1".."5" that were never written
  "update-deleted-directory",
  // each adds an absolute path outside the corpus and removes it under another spelling
  "canonicalized-paths-normal-a",
  "canonicalized-paths-normal-b",
  "canonicalized-paths-special-a",
  "canonicalized-paths-special-b",
  // VACUUM removed the files of its early versions
  "snapshot-vacuumed",
];

/** Tables the official Python client (delta-sharing 1.4.2) fails to read although the server's
 * answer is right: the reason, checked against the raw answer by the verdict. */
export const clientLimitations: Record<string, string> = {};
