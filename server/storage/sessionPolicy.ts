// The inline session policy that narrows the reader role to one table: objects under the table's
// prefix may be read, and the bucket listed only below that prefix. A session's permissions are the
// intersection of the role's own policies and this one, so this is the table's boundary even when
// the role may read the whole bucket.
import { parseS3Location, type S3Location } from "./s3Location.ts";

/** STS refuses a packed session policy over this many characters (AssumeRole `Policy`). */
export const sessionPolicyMaxLength = 2048;

interface Statement {
  Sid: string;
  Effect: "Allow";
  Action: string;
  Resource: string;
  Condition?: { StringLike: { "s3:prefix": string[] } };
}

export interface SessionPolicy {
  Version: "2012-10-17";
  Statement: Statement[];
}

// `*`, `?` and `$` in a key are wildcards or variables to IAM in resources and StringLike values;
// the policy-variable forms ${*}, ${?} and ${$} stand for the characters themselves.
export function iamLiteral(text: string): string {
  return text.replace(/[*?$]/g, (character) => `\${${character}}`);
}

/** The partition of an IAM ARN (aws, aws-cn, aws-us-gov…): the bucket's ARN must name the same. */
export function partitionOf(arn: string): string {
  return /^arn:([^:]+):/.exec(arn)?.[1] ?? "aws";
}

export function sessionPolicy(table: S3Location, partition: string): SessionPolicy {
  const prefix = iamLiteral(table.prefix);
  const bucketArn = `arn:${partition}:s3:::${table.bucket}`;
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "ReadTable", Effect: "Allow", Action: "s3:GetObject", Resource: `${bucketArn}/${prefix}/*` },
      {
        Sid: "ListTable",
        Effect: "Allow",
        Action: "s3:ListBucket",
        Resource: bucketArn,
        // "prefix" alone would also list "prefix2/…", a sibling's keys
        Condition: { StringLike: { "s3:prefix": [`${prefix}/`, `${prefix}/*`] } },
      },
    ],
  };
}

export function sessionPolicyText(table: S3Location, partition: string): string {
  return JSON.stringify(sessionPolicy(table, partition));
}

/** Why directory access cannot be offered for a table at `location`, or undefined when it can. */
export function directoryAccessLocationProblem(location: string, partition: string): string | undefined {
  const parsed = parseS3Location(location);
  if (parsed === undefined || parsed.prefix === "") {
    return "needs a table under a key prefix in S3 (s3://bucket/prefix)";
  }
  const length = sessionPolicyText(parsed, partition).length;
  if (length > sessionPolicyMaxLength) {
    return `needs a session policy of ${length} characters, over the ${sessionPolicyMaxLength} STS accepts`;
  }
  return undefined;
}
