// The file-selection step of a query: the recipient's slice of the snapshot's files (its partition
// filter, enforced exactly), then those that might hold matching rows, cut short once `limitHint`
// rows are certainly covered. The last two are hints: a file is dropped only when it certainly
// cannot matter.
import type { AddFile } from "../delta/actions.ts";
import type { SliceTest } from "./partitionFilterMatch.ts";

export interface SelectionOptions {
  /** The recipient's partition filter: files outside it are not there at all, not pruned. */
  inSlice?: SliceTest;
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
    if (options.inSlice && !options.inSlice(file.partitionValues)) continue;
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
