// A table location in S3 (s3:// or s3a://) as a bucket and a key prefix without trailing slashes.

export interface S3Location {
  bucket: string;
  prefix: string;
}

const s3Location = /^s3a?:\/\/([^/]+)\/?(.*)$/;

export function parseS3Location(location: string): S3Location | undefined {
  const match = s3Location.exec(location);
  if (!match) return undefined;
  const [, bucket = "", prefix = ""] = match;
  return { bucket, prefix: prefix.replace(/\/+$/, "") };
}

/** The location as the protocol's clients name it: s3://bucket/prefix (Hadoop's s3a is the same place). */
export function s3Uri(location: S3Location): string {
  return `s3://${location.bucket}/${location.prefix}`;
}
