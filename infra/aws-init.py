"""Create the queues and the bucket the system uses, in whatever AWS endpoint
AWS_ENDPOINT_URL names (moto or LocalStack locally). Idempotent."""
import os

import boto3

endpoint = os.environ["AWS_ENDPOINT_URL"]
region = os.environ.get("AWS_REGION", "us-east-1")
bucket = os.environ.get("S3_BUCKET", "wa-campaigns-local")

s3 = boto3.client("s3", endpoint_url=endpoint, region_name=region)
existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
if bucket not in existing:
    s3.create_bucket(Bucket=bucket)

# Direct uploads and large report downloads are staged under staging/ and
# must not pile up: S3 expires them after a day.
s3.put_bucket_lifecycle_configuration(
    Bucket=bucket,
    LifecycleConfiguration={
        "Rules": [{"ID": "expire-staging", "Filter": {"Prefix": "staging/"}, "Status": "Enabled", "Expiration": {"Days": 1}}]
    },
)
sqs = boto3.client("sqs", endpoint_url=endpoint, region_name=region)
prefix = os.environ.get("SQS_PREFIX", "wa-campaigns-local")
dlq = sqs.create_queue(QueueName=f"{prefix}-sessions-dlq")["QueueUrl"]
dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
inbox_dlq = sqs.create_queue(QueueName=f"{prefix}-inbox-dlq")["QueueUrl"]
inbox_dlq_arn = sqs.get_queue_attributes(QueueUrl=inbox_dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
sessions = sqs.create_queue(
    QueueName=f"{prefix}-sessions",
    Attributes={
        "VisibilityTimeout": "30",
        "RedrivePolicy": f'{{"deadLetterTargetArn":"{dlq_arn}","maxReceiveCount":"5"}}',
    },
)["QueueUrl"]

print(f"aws: bucket {bucket} ready at {endpoint}")
# Read by infra/dev.sh: the URLs the processes are configured with.
print(f"SQS_SESSIONS_QUEUE_URL={sessions}")
print(f"SQS_INBOX_DLQ_ARN={inbox_dlq_arn}")
