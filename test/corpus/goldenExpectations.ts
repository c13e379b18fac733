// What the corpus test knows of particular golden tables by name, each with its reason. Nothing
// here excuses a table by itself: the verdict still needs the raw answer to show it (verdicts.ts).

/** Tables whose log names data files the corpus does not hold: Delta's generators wrote these logs
 * by hand (delta-spark's read fails with FILE_NOT_EXIST or finds no columns), or deleted the files
 * afterwards. The server answers from the log without statting files, so the file URL answers 404. */
export const tablesMissingDataFiles: string[] = [
  // the log adds files "1".."5" that were never written
  "update-deleted-directory",
  // logs of hand-written adds ("0".."15", "abc") and no schema: no data files
  "checkpoint",
  "corrupted-last-checkpoint",
  "deltalog-commit-info",
  // adds and removes "foo" and "bar" by hand, no data files
  "delete-re-add-same-file-different-transactions",
  // adds "special p@#h" by hand, no data file
  "log-replay-special-characters-b",
  // VACUUM removed the files of its early versions
  "snapshot-vacuumed",
];

/** Tables whose log adds a file (an absolute path outside the corpus) and removes it under another
 * spelling of the same path ("/p" then "file:/p" or "file:///p"), with no schema: replay that
 * resolves both spellings to one file leaves none, so the server answers 200 with no files (a
 * replay that did not would list the file, and refuse its absolute path with a 4xx). delta-spark
 * refuses them for having no columns. */
export const tablesEmptyAfterReplay: string[] = [
  "canonicalized-paths-normal-a",
  "canonicalized-paths-normal-b",
  "canonicalized-paths-special-a",
  "canonicalized-paths-special-b",
];

/** Tables the official Python client (delta-sharing 1.4.2) fails to read although the server's
 * answer is right: the reason, checked against the raw answer by the verdict. */
export const clientLimitations: Record<string, string> = {};
