// The file-selection step of a query: the snapshot's files that might hold matching rows, cut short
// once `limitHint` rows are certainly covered. Both are hints: a file is dropped only when it
// certainly cannot matter.
import type { AddFile } from "../delta/actions.ts";

export interface SelectionOptions {
  mightMatch?: (file: AddFile) => boolean;
  limitHint?: number;
}

export interface SelectionReport {
  considered: number;
  pruned: number;
  returned: number;
}

const numRecordsPattern = /"numRecords"\s*:\s*(\d+)/;

export function numRecords(file: AddFile): number | undefined {
  if (file.stats === undefined) return undefined;
  const match = numRecordsPattern.exec(file.stats);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

export function* selectFiles<File extends AddFile>(
  files: Iterable<File>,
  options: SelectionOptions,
  report: SelectionReport,
): Generator<File> {
  let rowsCovered = 0;
  for (const file of files) {
    if (options.limitHint !== undefined && rowsCovered >= options.limitHint) return;
    report.considered++;
    if (options.mightMatch && !options.mightMatch(file)) {
      report.pruned++;
      continue;
    }
    report.returned++;
    // a file whose count is unknown (or that has deletion vectors) cannot vouch for any rows
    if (options.limitHint !== undefined && !file.deletionVector) rowsCovered += numRecords(file) ?? 0;
    yield file;
  }
}
