import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Predicate } from "../../../server/selection/predicate.ts";
import { compilePruner, type PrunableFile } from "../../../server/selection/prune.ts";
import { and, column, eq, isNull, keeps, literal, not, or, partitions, schema } from "./pruneFixtures.ts";

describe("compilePruner with what it cannot evaluate", () => {
  const file: PrunableFile = {
    partitionValues: { p_int: "1", p_str: "a" },
    stats: JSON.stringify({
      numRecords: 3,
      minValues: { d_str: "a", d_bin: "a", d_struct: { x: 1 }, d_lcase: "a" },
      maxValues: { d_str: "a", d_bin: "a", d_struct: { x: 1 }, d_lcase: "a" },
      nullCount: { d_str: 0, d_bin: 0, d_struct: { x: 0 }, d_lcase: 0 },
    }),
  };

  it("keeps files for unknown columns, nested columns, odd types and casts", () => {
    const unknowns: Predicate[] = [
      eq("nope", "1", "int"),
      eq("d_struct.x", "5", "long"),
      {
        op: "equal",
        left: { op: "column", name: "x", qualifiers: ["d_struct"] },
        right: literal("5", "long"),
      },
      eq("d_bin", "b", "string"),
      eq("d_struct", "b", "string"),
      eq("d_lcase", "A", "string"),
      { op: "equal", left: column("p_int", "string"), right: literal("2", "string") },
      { op: "equal", left: column("p_int", "int"), right: literal("x", "string") },
      { op: "equal", left: column("p_str", "string"), right: literal("2", "int") },
      { op: "equal", left: column("p_int", "int"), right: literal("1.5", "float") },
      { op: "equal", left: column("p_long", "int"), right: literal("1", "int") },
      { op: "equal", left: column("p_int", "int"), right: column("p_str", "int") },
      { op: "equal", left: literal("1", "int"), right: literal("2", "int") },
      { ...eq("p_str", "A", "string"), collated: true },
    ];
    for (const predicate of unknowns) {
      assert.equal(keeps(predicate, file), true, JSON.stringify(predicate));
      assert.equal(keeps(not(predicate), file), true, `not ${JSON.stringify(predicate)}`);
      assert.equal(keeps(and(predicate, eq("p_int", "2", "int")), file), false);
      assert.equal(keeps(or(predicate, eq("p_int", "2", "int")), file), true);
    }
    const qualified = {
      op: "equal",
      left: { op: "column", name: "p_int", qualifiers: ["t"] },
      right: literal("2", "int"),
    } as Predicate;
    assert.equal(keeps(qualified, file), false, "a table qualifier is not a struct");
  });

  it("keeps everything for a schema it cannot read", () => {
    const pruner = compilePruner(eq("p_int", "2", "int"), "not json", ["p_int"]);
    assert.equal(pruner.mightMatch(file), true);
  });

  it("keeps everything without a predicate and treats literal null checks as false", () => {
    assert.equal(compilePruner(undefined, schema, partitions).mightMatch(file), true);
    const literalNull: Predicate = { op: "isNull", child: literal("1", "int") };
    assert.equal(keeps(literalNull, file), false);
    assert.equal(keeps(not(literalNull), file), true);
  });

  it("reports whether statistics are read", () => {
    assert.equal(compilePruner(eq("p_int", "2", "int"), schema, partitions).usesStats, false);
    assert.equal(compilePruner(eq("d_long", "2", "long"), schema, partitions).usesStats, true);
    assert.equal(compilePruner(eq("nope", "2", "long"), schema, partitions).usesStats, false);
    assert.equal(compilePruner(isNull("d_long"), schema, partitions).usesStats, true);
  });

  it("reads stats only when a data column is consulted", () => {
    let reads = 0;
    const counting: PrunableFile = {
      partitionValues: { p_int: "1" },
      get stats() {
        reads += 1;
        return JSON.stringify({ numRecords: 1, minValues: { d_long: 1 }, maxValues: { d_long: 1 } });
      },
    };
    const pruner = compilePruner(and(eq("p_int", "2", "int"), eq("d_long", "1", "long")), schema, partitions);
    assert.equal(pruner.mightMatch(counting), false);
    assert.equal(reads, 0);
    const both = compilePruner(
      and(eq("d_long", "1", "long"), not(eq("d_long", "2", "long"))),
      schema,
      partitions,
    );
    assert.equal(both.mightMatch(counting), true);
    assert.equal(reads, 1);
  });

  it("decides a million files by partition value in seconds, not minutes", () => {
    const pruner = compilePruner(
      and(eq("p_date", "2021-01-05", "date"), not(eq("p_str", "us", "string"))),
      schema,
      partitions,
    );
    const regions = ["eu", "us", "ap"];
    const files: PrunableFile[] = Array.from({ length: 1_000_000 }, (_, i) => ({
      partitionValues: {
        p_date: `2021-01-${String((i % 28) + 1).padStart(2, "0")}`,
        p_str: regions[i % 3] ?? null,
      },
    }));
    const started = performance.now();
    let kept = 0;
    for (const candidate of files) if (pruner.mightMatch(candidate)) kept += 1;
    const elapsed = performance.now() - started;
    assert.equal(
      kept,
      files.filter((f) => f.partitionValues.p_date === "2021-01-05" && f.partitionValues.p_str !== "us")
        .length,
    );
    assert.ok(elapsed < 10_000, `took ${elapsed} ms`);
  });
});
