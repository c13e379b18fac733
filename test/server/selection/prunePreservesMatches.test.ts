import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { Predicate } from "../../../server/selection/predicate.ts";
import { compilePruner } from "../../../server/selection/prune.ts";
import { parseSqlPredicates } from "../../../server/selection/sqlPredicate.ts";
import { evaluate, predicateArb, toSql } from "./randomPredicate.ts";
import { columns, partitionColumns, schemaString, type TestTable, tableArb } from "./randomTable.ts";

const tableAndPredicate = (among = columns) =>
  tableArb.chain((table) => predicateArb(table.zones, among).map((predicate) => ({ table, predicate })));

// Every file holding a row on which the predicate is true must be kept.
function assertSound(table: TestTable, predicate: Predicate, label: string): void {
  const pruner = compilePruner(predicate, schemaString, partitionColumns, {
    unzonedTimestampsAreUtc: table.zones.utc,
  });
  for (const file of table.files) {
    const matching = file.rows.find((row) => evaluate(predicate, row) === true);
    if (matching !== undefined && !pruner.mightMatch(file)) {
      assert.fail(
        `${label} dropped a file with a matching row\nfile: ${JSON.stringify(file, (_, v) =>
          typeof v === "bigint" ? `${v}n` : v,
        )}`,
      );
    }
  }
}

describe("pruning never drops a file with a matching row", () => {
  it("holds for random tables and JSON predicates", () => {
    fc.assert(
      fc.property(tableAndPredicate(), ({ table, predicate }) =>
        assertSound(table, predicate, "json predicate"),
      ),
      { numRuns: 3000 },
    );
  });

  it("holds for the same predicates sent as SQL hints", () => {
    fc.assert(
      fc.property(tableAndPredicate(), ({ table, predicate }) => {
        const sql = toSql(predicate);
        fc.pre(sql !== undefined);
        const { predicate: parsed, skipped } = parseSqlPredicates([sql as string]);
        assert.deepEqual(skipped, [], sql);
        // Evaluation uses the generated tree; pruning uses the one parsed back from SQL.
        const pruner = compilePruner(parsed, schemaString, partitionColumns, {
          unzonedTimestampsAreUtc: table.zones.utc,
        });
        for (const file of table.files) {
          if (file.rows.some((row) => evaluate(predicate, row) === true)) {
            assert.ok(pruner.mightMatch(file), `${sql} dropped ${JSON.stringify(file.partitionValues)}`);
          }
        }
      }),
      { numRuns: 1500 },
    );
  });
});

describe("pruning is useful", () => {
  it("keeps exactly the partitions an equality on a partition column selects", () => {
    const cases = [
      { name: "p_int", valueType: "int" as const, values: ["-3", "0", "2"] },
      { name: "p_str", valueType: "string" as const, values: ["a", "é", "😀"] },
      { name: "p_date", valueType: "date" as const, values: ["2021-01-01", "2021-01-04"] },
      { name: "p_bool", valueType: "bool" as const, values: ["true", "false"] },
    ];
    let dropped = 0;
    fc.assert(
      fc.property(tableArb, fc.constantFrom(...cases), fc.nat(), (table, picked, index) => {
        const value = picked.values[index % picked.values.length] as string;
        const predicate: Predicate = {
          op: "equal",
          left: { op: "column", name: picked.name, valueType: picked.valueType },
          right: { op: "literal", value, valueType: picked.valueType },
        };
        const pruner = compilePruner(predicate, schemaString, partitionColumns);
        for (const file of table.files) {
          const partition = file.partitionValues[picked.name];
          const selected = partition === value;
          assert.equal(pruner.mightMatch(file), selected, `${picked.name} = ${value} on ${partition}`);
          if (!selected) dropped += 1;
        }
      }),
      { numRuns: 300 },
    );
    assert.ok(dropped > 100, `only ${dropped} files dropped`);
  });

  it("drops files by statistics for simple ranges on data columns", () => {
    let kept = 0;
    let total = 0;
    fc.assert(
      fc.property(tableArb, fc.constantFrom("-5", "0", "5"), (table, value) => {
        const predicate: Predicate = {
          op: "greaterThan",
          left: { op: "column", name: "d_long", valueType: "long" },
          right: { op: "literal", value, valueType: "long" },
        };
        const pruner = compilePruner(predicate, schemaString, partitionColumns);
        for (const file of table.files) {
          total += 1;
          if (pruner.mightMatch(file)) kept += 1;
        }
      }),
      { numRuns: 300 },
    );
    assert.ok(kept < total * 0.9, `kept ${kept} of ${total}`);
  });
});
