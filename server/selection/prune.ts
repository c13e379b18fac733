// File pruning: compile a predicate once per request against the table's schema, then ask of each
// file whether it might hold a matching row. Comparisons on partition columns are decided from the
// partition value, on other columns from the file's statistics; whatever cannot be decided (no
// stats, unknown column, a type or cast not followed) may be anything, so the file is kept.
import {
  columnTypeFits,
  literalNumber,
  type NumberKind,
  partitionNumber,
  statNumber,
  type TimeZoneAssumption,
} from "./columnValues.ts";
import { numberComparison, stringComparison } from "./comparisonMask.ts";
import { count, entry, type FileStats, parseFileStats } from "./fileStats.ts";
import type { ColumnRef, Comparison, ComparisonOp, IsNull, Leaf, Literal, Predicate } from "./predicate.ts";
import { readTableColumns, type TableColumn, type TableColumns } from "./tableColumns.ts";
import { and, anything, F, N, none, not, or, T } from "./truth.ts";

export interface PrunableFile {
  partitionValues: Readonly<Record<string, string | null>>;
  stats?: string | undefined;
}

export interface Pruner {
  mightMatch(file: PrunableFile): boolean;
  // Whether mightMatch reads `stats` at all (callers may then skip loading them).
  usesStats: boolean;
}

export type PruneOptions = Partial<TimeZoneAssumption>;

interface FileContext {
  file: PrunableFile;
  stats: FileStats | null | undefined;
}

// A constant mask, or how to work one out per file.
type Compiled = number | ((context: FileContext) => number);

const keepAll: Pruner = { mightMatch: () => true, usesStats: false };

export function compilePruner(
  predicate: Predicate | undefined,
  schemaString: string,
  partitionColumns: readonly string[],
  options: PruneOptions = {},
): Pruner {
  if (predicate === undefined) return keepAll;
  const compiler = new Compiler(readTableColumns(schemaString, partitionColumns), {
    unzonedTimestampsAreUtc: options.unzonedTimestampsAreUtc ?? false,
  });
  const root = compiler.compile(predicate, true);
  if (typeof root === "number") {
    const keep = (root & T) !== 0;
    return { mightMatch: () => keep, usesStats: false };
  }
  return {
    mightMatch: (file) => (root({ file, stats: undefined }) & T) !== 0,
    usesStats: compiler.usesStats,
  };
}

function loadStats(context: FileContext): FileStats | null {
  if (context.stats === undefined) context.stats = parseFileStats(context.file.stats);
  return context.stats;
}

const flipped: Record<ComparisonOp, ComparisonOp> = {
  equal: "equal",
  lessThan: "greaterThan",
  lessThanOrEqual: "greaterThanOrEqual",
  greaterThan: "lessThan",
  greaterThanOrEqual: "lessThanOrEqual",
};

// Partition values repeat across many files; each comparison remembers its answers for a while.
const partitionCacheSize = 4096;

class Compiler {
  usesStats = false;
  private readonly columns: TableColumns;
  private readonly zones: TimeZoneAssumption;

  constructor(columns: TableColumns, zones: TimeZoneAssumption) {
    this.columns = columns;
    this.zones = zones;
  }

  // `truthOnly`: the caller reads only the T bit, which lets AND and OR stop early.
  compile(predicate: Predicate, truthOnly: boolean): Compiled {
    switch (predicate.op) {
      case "and":
      case "or":
        return this.junction(predicate.op, predicate.children, truthOnly);
      case "not": {
        const child = this.compile(predicate.child, false);
        return typeof child === "number" ? not(child) : (context) => not(child(context));
      }
      case "isNull":
        return this.isNull(predicate);
      default:
        return this.comparison(predicate);
    }
  }

  private junction(op: "and" | "or", children: Predicate[], truthOnly: boolean): Compiled {
    return truthOnly ? this.junctionTruth(op, children) : this.junctionFull(op, children);
  }

  // Only the T bit matters: AND is true only if every child may be, OR if any child may be.
  private junctionTruth(op: "and" | "or", children: Predicate[]): Compiled {
    const dynamic: ((context: FileContext) => number)[] = [];
    for (const child of children) {
      const compiled = this.compile(child, true);
      if (typeof compiled !== "number") dynamic.push(compiled);
      else if (op === "and" && (compiled & T) === 0) return none;
      else if (op === "or" && (compiled & T) !== 0) return T;
    }
    if (dynamic.length === 0) return op === "and" ? T : none;
    if (op === "and") {
      return (context) => {
        for (const evaluate of dynamic) if ((evaluate(context) & T) === 0) return none;
        return T;
      };
    }
    return (context) => {
      for (const evaluate of dynamic) if ((evaluate(context) & T) !== 0) return T;
      return none;
    };
  }

  private junctionFull(op: "and" | "or", children: Predicate[]): Compiled {
    const combine = op === "and" ? and : or;
    // Once AND is only false (OR only true) no further child changes it.
    const settled = op === "and" ? F : T;
    let constant = op === "and" ? T : F;
    const dynamic: ((context: FileContext) => number)[] = [];
    for (const child of children) {
      const compiled = this.compile(child, false);
      if (typeof compiled === "number") constant = combine(constant, compiled);
      else dynamic.push(compiled);
    }
    if (dynamic.length === 0 || constant === settled || constant === none) return constant;
    return (context) => {
      let mask = constant;
      for (const evaluate of dynamic) {
        mask = combine(mask, evaluate(context));
        if (mask === settled || mask === none) break;
      }
      return mask;
    };
  }

  private isNull(predicate: IsNull): Compiled {
    if (predicate.child.op === "literal") return F;
    const column = this.resolve(predicate.child);
    if (column === undefined) return T | F;
    if (column.partition) {
      return this.partitionAtom(column, (text) => (text === null ? T : F));
    }
    this.usesStats = true;
    const key = column.physicalName;
    return (context) => {
      const stats = loadStats(context);
      if (stats === null) return T | F;
      const rows = stats.numRecords;
      if (rows === 0) return none;
      const nulls = count(entry(stats.nullCount, key));
      if (nulls === undefined || (rows !== undefined && nulls > rows)) return T | F;
      return (nulls > 0 ? T : none) | (rows === undefined || nulls < rows ? F : none);
    };
  }

  private comparison(predicate: Comparison): Compiled {
    if (predicate.collated) return anything;
    const oriented = orient(predicate);
    if (oriented === undefined) return anything;
    const { op, columnRef, literal } = oriented;
    const column = this.resolve(columnRef);
    if (column === undefined || column.kind === "other" || !columnTypeFits(column, columnRef.valueType)) {
      return anything;
    }
    if (column.kind === "string") {
      if (literal.valueType !== "string") return anything;
      const value = literal.value;
      if (column.partition) {
        return this.partitionAtom(column, (text) =>
          text === null ? N : stringComparison(op, { min: text, max: text, maxIsPrefix: false }, value),
        );
      }
      return this.statsAtom(column, (min, max) =>
        stringComparison(
          op,
          {
            min: typeof min === "string" ? min : "",
            max: typeof max === "string" ? max : undefined,
            maxIsPrefix: true,
          },
          value,
        ),
      );
    }
    const kind: NumberKind = column.kind;
    const target = literalNumber(kind, literal, this.zones);
    if (target === undefined) return anything;
    if (column.partition) {
      return this.partitionAtom(column, (text) => {
        if (text === null) return N;
        const range = partitionNumber(kind, text, this.zones);
        return range === undefined ? anything : numberComparison(op, range.lo, range.hi, target, false);
      });
    }
    // Float statistics may leave NaN out of the max (Parquet does), yet Spark sorts NaN above all.
    const nan = kind === "float" || kind === "double";
    return this.statsAtom(column, (min, max) => {
      const lo = statNumber(kind, min, this.zones)?.lo ?? Number.NEGATIVE_INFINITY;
      const hi = statNumber(kind, max, this.zones)?.hi ?? Number.POSITIVE_INFINITY;
      return numberComparison(op, lo, hi, target, nan);
    });
  }

  // `decide` gets the partition value, null for a null partition ("" is null too).
  private partitionAtom(column: TableColumn, decide: (text: string | null) => number): Compiled {
    const { physicalName, name } = column;
    const cache = new Map<string, number>();
    return (context) => {
      const values = context.file.partitionValues;
      const raw = Object.hasOwn(values, physicalName)
        ? values[physicalName]
        : Object.hasOwn(values, name)
          ? values[name]
          : undefined;
      if (raw === null || raw === "") return decide(null);
      if (typeof raw !== "string") return anything;
      let mask = cache.get(raw);
      if (mask === undefined) {
        mask = decide(raw);
        if (cache.size < partitionCacheSize) cache.set(raw, mask);
      }
      return mask;
    };
  }

  // `decide` gets the column's minValues and maxValues entries for a file with non-null values.
  private statsAtom(column: TableColumn, decide: (min: unknown, max: unknown) => number): Compiled {
    this.usesStats = true;
    const key = column.physicalName;
    return (context) => {
      const stats = loadStats(context);
      if (stats === null) return anything;
      const rows = stats.numRecords;
      if (rows === 0) return none;
      const nulls = count(entry(stats.nullCount, key));
      if (nulls !== undefined && rows !== undefined && nulls > rows) return anything;
      const mask = nulls === undefined || nulls > 0 ? N : none;
      if (nulls !== undefined && nulls === rows) return mask;
      return mask | decide(entry(stats.minValues, key), entry(stats.maxValues, key));
    };
  }

  private resolve(ref: ColumnRef): TableColumn | undefined {
    const qualifier = ref.qualifiers?.[0];
    // `s.x` where s is a column reaches into a struct, which statistics do not cover here.
    if (qualifier !== undefined && this.columns.find(qualifier) !== undefined) return undefined;
    return this.columns.find(ref.name);
  }
}

// The comparison as `column op literal`, or undefined unless it compares a column with a literal.
function orient(
  predicate: Comparison,
): { op: ComparisonOp; columnRef: ColumnRef; literal: Literal } | undefined {
  const { left, right } = predicate;
  if (isColumn(left) && right.op === "literal") return { op: predicate.op, columnRef: left, literal: right };
  if (isColumn(right) && left.op === "literal")
    return { op: flipped[predicate.op], columnRef: right, literal: left };
  return undefined;
}

function isColumn(leaf: Leaf): leaf is ColumnRef {
  return leaf.op === "column";
}
