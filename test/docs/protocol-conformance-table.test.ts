// docs/protocol-conformance.md answers for all of PROTOCOL.md at delta-io/delta-sharing 5c1b002:
// every section of that document has a row; every row names only sections that exist there, and
// either test files that exist or "Not applicable:" with a reason; and the README links the table.
import assert from "node:assert/strict";
import { access, readFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { repoRoot } from "../ground/paths.ts";

/** The headings of PROTOCOL.md at 5c1b002, in order; the two "Example" headings named by parent. */
const protocolSections = [
  "Delta Sharing Protocol",
  "Overview",
  "Delta Sharing Specification",
  "Concepts",
  "Access Modes",
  "Compatibility",
  "REST APIs",
  "List Shares",
  "Get Share",
  "List Schemas in a Share",
  "List Tables in a Schema",
  "List all Tables in a Share",
  "Query Table Version",
  "Query Table Metadata",
  "Read Data from a Table",
  "Request Body",
  "Example for snapshot query",
  "Example for query with startingVersion",
  "Example for asynchronous query",
  "Read Change Data Feed from a Table",
  "Get Query Info",
  "Example (Get Query Info)",
  "Timestamp Format",
  "Generate Temporary Table Credential",
  "TemporaryCredentials",
  "AwsCredentials",
  "AzureUserDelegationSAS",
  "GcpOauthToken",
  "Delta Kernel Example",
  "Delta Sharing Capabilities Header",
  "responseFormat",
  "readerFeatures",
  "includeEndStreamAction",
  "asyncQuery",
  "File ID Hash Header",
  "Supported Values",
  "Response Header",
  "Client Verification",
  "API Response Actions",
  "EndStreamAction",
  "API Response Actions in Parquet Format",
  "JSON Wrapper Object In Each Line",
  "Protocol",
  "Metadata",
  "File",
  "Data Change Files",
  "Add File",
  "CDF File",
  "Remove File",
  "Format",
  "Schema Object",
  "Struct Type",
  "Struct Field",
  "Primitive Types",
  "Array Type",
  "Map Type",
  "Example (Schema Object)",
  "Partition Value Serialization",
  "Per-file Statistics",
  "API Response Actions in Delta Format",
  "JSON Wrapper Object In Each Line in Delta",
  "Protocol in Delta Format",
  "Metadata in Delta Format",
  "File in Delta Format",
  "SQL Expressions for Filtering",
  "JSON predicates for Filtering",
  "Delta Sharing Streaming Specs",
  "Profile File Format",
  "Names",
];

interface Row {
  line: number;
  section: string;
  shownBy: string;
}

async function conformanceRows(): Promise<Row[]> {
  const text = await readFile(join(repoRoot, "docs", "protocol-conformance.md"), "utf8");
  const rows: Row[] = [];
  text.split("\n").forEach((line, index) => {
    if (!line.startsWith("|")) return;
    const cells = line
      .trim()
      .replace(/^\||\|$/g, "")
      .split("|")
      .map((cell) => cell.trim());
    const section = cells[0] ?? "";
    if (section === "Section" || /^-+$/.test(section)) return;
    assert.equal(cells.length, 4, `line ${index + 1} has four columns`);
    rows.push({ line: index + 1, section, shownBy: cells[3] ?? "" });
  });
  return rows;
}

const exists = (path: string) =>
  access(join(repoRoot, path)).then(
    () => true,
    () => false,
  );

test("every section of PROTOCOL.md at 5c1b002 has a row, and every row a section of it", async () => {
  const rows = await conformanceRows();
  const covered = new Set(rows.map((row) => row.section));
  const missing = protocolSections.filter((section) => !covered.has(section));
  assert.deepEqual(missing, [], "sections without a row");
  const unknown = rows.filter((row) => !protocolSections.includes(row.section));
  assert.deepEqual(
    unknown.map((row) => `line ${row.line}: ${row.section}`),
    [],
    "rows naming no section of PROTOCOL.md",
  );
});

test("every row names test files that exist, or is not applicable for a stated reason", async () => {
  const problems: string[] = [];
  for (const row of await conformanceRows()) {
    const quoted = [...row.shownBy.matchAll(/`([^`]+)`/g)].map((match) => match[1] as string);
    let files = quoted;
    if (row.shownBy.startsWith("Not applicable:")) {
      if (row.shownBy.slice("Not applicable:".length).trim().length < 20) {
        problems.push(`line ${row.line}: no reason given`);
      }
      // a reason may point at the tests of a neighbouring behaviour; those must exist too
      files = quoted.filter((text) => text.startsWith("test/"));
    } else if (files.length === 0) {
      problems.push(`line ${row.line}: neither a test file nor a reason`);
    }
    for (const file of files) {
      if (!/^test\/.+\.test\.ts$/.test(file)) problems.push(`line ${row.line}: ${file} is not a test file`);
      else if (!(await exists(file))) problems.push(`line ${row.line}: ${file} does not exist`);
    }
  }
  assert.deepEqual(problems, []);
});

test("the README links the conformance table", async () => {
  const readme = await readFile(join(repoRoot, "README.md"), "utf8");
  assert.match(readme, /\]\(docs\/protocol-conformance\.md\)/);
});
