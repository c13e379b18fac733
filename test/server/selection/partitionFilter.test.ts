// The partition filter language: what parses, what is refused with a reason, and how a file's
// partition values are judged (typed, exact, nulls and missing properties matching nothing).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { TableMetadata } from "../../../server/delta/actions.ts";
import { FilterSyntaxError, parsePartitionFilter } from "../../../server/selection/partitionFilter.ts";
import { filterProblem, sliceTest } from "../../../server/selection/partitionFilterMatch.ts";

const field = (name: string, type: string) => ({ name, type, nullable: true, metadata: {} });
const metadata = {
  id: "t",
  format: { provider: "parquet", options: {} },
  schemaString: JSON.stringify({
    type: "struct",
    fields: [
      field("country", "string"),
      field("year", "integer"),
      field("day", "date"),
      field("at", "timestamp"),
      field("amount", "double"),
    ],
  }),
  partitionColumns: ["country", "year", "day", "at"],
  configuration: {},
} as unknown as TableMetadata;

function matches(filter: string, values: Record<string, string | null>, properties = {}): boolean {
  const node = parsePartitionFilter(filter);
  assert.equal(filterProblem(node, metadata), undefined);
  return sliceTest(node, metadata, properties)(values);
}

describe("partition filter language", () => {
  test("syntax errors name what is wrong", () => {
    for (const [text, reason] of [
      ["", /empty/],
      ["country =", /expected a value/],
      ["country = 'US' AND", /expected a partition column/],
      ["country IN ('US'", /expected '\)'/],
      ["country IS 'US'", /expected NULL/],
      ["CURRENT_RECIPIENT('x') = country", /expected a partition column/],
      ["country = CURRENT_RECIPIENT(x)", /quoted property name/],
      ['country = "US"', /double quotes/],
      ["NOT country = 'US'", /expected a partition column/],
      ["country = 'US' ; DROP", /unexpected/],
    ] as const) {
      assert.throws(
        () => parsePartitionFilter(text),
        (error: unknown) => {
          assert.ok(error instanceof FilterSyntaxError, text);
          assert.match(error.message, reason, text);
          return true;
        },
      );
    }
  });

  test("strings compare exactly; properties bind per recipient; a missing one matches nothing", () => {
    const filter = "country = CURRENT_RECIPIENT('country')";
    assert.equal(matches(filter, { country: "US" }, { country: "US" }), true);
    assert.equal(matches(filter, { country: "us" }, { country: "US" }), false);
    assert.equal(matches(filter, { country: "FR" }, { country: "US" }), false);
    assert.equal(matches(filter, { country: "US" }, {}), false);
    assert.equal(matches("country != CURRENT_RECIPIENT('c')", { country: "US" }, {}), false);
    assert.equal(matches("country IN ('US', 'FR')", { country: "FR" }), true);
    assert.equal(matches("country LIKE 'U%'", { country: "US" }), true);
    assert.equal(matches("country LIKE 'U_'", { country: "USA" }), false);
    assert.equal(matches("country LIKE 'U.%'", { country: "US" }), false);
    assert.equal(matches("country < 'V' AND country >= 'U'", { country: "US" }), true);
  });

  test("nulls: only IS NULL matches them (null and empty partition values alike)", () => {
    for (const values of [{ country: null }, { country: "" }, {}] as Record<string, string | null>[]) {
      assert.equal(matches("country IS NULL", values), true);
      assert.equal(matches("country IS NOT NULL", values), false);
      assert.equal(matches("country != 'US'", values), false);
      assert.equal(matches("country = 'US' OR country IS NULL", values), true);
    }
  });

  test("numbers, dates and timestamps compare by value, as partition values serialise them", () => {
    assert.equal(matches("year >= 2020", { year: "2024" }), true);
    assert.equal(matches("year > 2020", { year: "2020" }), false);
    assert.equal(matches("year = '2024'", { year: "2024" }), true);
    assert.equal(matches("year < 10", { year: "9" }), true, "not compared as text");
    assert.equal(matches("year = CURRENT_RECIPIENT('y')", { year: "2024" }, { y: "2024" }), true);
    assert.equal(matches("year = 2024", { year: "not a number" }), false);
    assert.equal(matches("day >= '2024-02-01'", { day: "2024-02-15" }), true);
    assert.equal(matches("day < '2024-02-01'", { day: "2024-10-01" }), false);
    assert.equal(matches("at >= '2024-01-01 00:00:00'", { at: "2024-01-01 00:00:00.5" }), true);
    assert.equal(matches("at < '2024-01-01 00:00:00'", { at: "2023-12-31 23:59:59.999999" }), true);
  });

  test("columns are checked against the table: missing, non-partition, LIKE on numbers", () => {
    const problem = (filter: string) => filterProblem(parsePartitionFilter(filter), metadata);
    assert.match(problem("amount > 1") ?? "", /'amount', which is not a partition column/);
    assert.match(problem("nope = 1") ?? "", /does not have/);
    assert.match(problem("year LIKE '20%'") ?? "", /LIKE needs a string column/);
    assert.equal(problem("COUNTRY = 'US'"), undefined, "Delta column names ignore case");
  });
});
