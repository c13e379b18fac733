"""Sets up the AWS side of directory access on a moto server, then switches its authentication on:
an IAM user standing in for the server's pod identity, the server's role (trusting that user), the
reader role (trusting only the server's role, reading the tables bucket), buckets, and the files of
local table folders uploaded under keys. Prints JSON: the server role's session credentials (the
server's default chain) and the ARNs.

    aws_setup.py ENDPOINT SPEC_JSON
SPEC_JSON: {"buckets": [...], "uploads": [{"dir": "/local/table", "bucket": "b", "prefix": "p/t"}],
            "readerBucket": "b"}
"""

import json
import os
import sys

import boto3
import requests

ACCOUNT = "123456789012"
REGION = "us-east-1"
SERVER_SESSION = "server-pod"


def client(service, endpoint, **keys):
    options = {"aws_access_key_id": "setup", "aws_secret_access_key": "setup", **keys}
    return boto3.client(service, endpoint_url=endpoint, region_name=REGION, **options)


def trust(principal):
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}],
        }
    )


def allow(statements):
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def main() -> int:
    endpoint, spec = sys.argv[1], json.loads(sys.argv[2])
    iam, s3 = client("iam", endpoint), client("s3", endpoint)
    user = iam.create_user(UserName="pod-identity")["User"]
    key = iam.create_access_key(UserName="pod-identity")["AccessKey"]
    server_role = iam.create_role(
        RoleName="delta-sharing-server", AssumeRolePolicyDocument=trust(user["Arn"])
    )["Role"]
    reader_bucket = spec["readerBucket"]
    # AWS matches a role principal to every session of the role; moto matches principals by exact
    # ARN, so the session the server runs as is named as well
    server_session = f"arn:aws:sts::{ACCOUNT}:assumed-role/delta-sharing-server/{SERVER_SESSION}"
    reader_role = iam.create_role(
        RoleName="delta-sharing-reader",
        AssumeRolePolicyDocument=trust([server_role["Arn"], server_session]),
        MaxSessionDuration=3600,
    )["Role"]
    iam.put_role_policy(
        RoleName="delta-sharing-reader",
        PolicyName="read-shared-tables",
        PolicyDocument=allow(
            [
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{reader_bucket}/*"},
                {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": f"arn:aws:s3:::{reader_bucket}"},
            ]
        ),
    )
    # the server reads the logs itself (metadata, URL access) and may assume the reader role
    iam.put_role_policy(
        RoleName="delta-sharing-server",
        PolicyName="read-and-assume-reader",
        PolicyDocument=allow(
            [
                {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": reader_role["Arn"]},
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{reader_bucket}/*"},
                {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": f"arn:aws:s3:::{reader_bucket}"},
            ]
        ),
    )
    iam.put_user_policy(
        UserName="pod-identity",
        PolicyName="assume-server",
        PolicyDocument=allow([{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": server_role["Arn"]}]),
    )
    for bucket in spec["buckets"]:
        s3.create_bucket(Bucket=bucket)
    for upload in spec["uploads"]:
        for folder, _dirs, files in os.walk(upload["dir"]):
            for name in files:
                path = os.path.join(folder, name)
                relative = os.path.relpath(path, upload["dir"]).replace(os.sep, "/")
                s3.upload_file(path, upload["bucket"], f"{upload['prefix']}/{relative}")
    # from here on every request is signed and checked against IAM
    requests.post(f"{endpoint}/moto-api/reset-auth", data=b"0", timeout=10).raise_for_status()
    sts = client(
        "sts", endpoint, aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"]
    )
    session = sts.assume_role(RoleArn=server_role["Arn"], RoleSessionName=SERVER_SESSION)["Credentials"]
    print(
        json.dumps(
            {
                "server": {
                    "accessKeyId": session["AccessKeyId"],
                    "secretAccessKey": session["SecretAccessKey"],
                    "sessionToken": session["SessionToken"],
                },
                "serverRoleArn": server_role["Arn"],
                "readerRoleArn": reader_role["Arn"],
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
