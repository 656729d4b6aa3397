import { PutObjectCommand } from "@aws-sdk/client-s3";
import { ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { parseObjectCreated } from "./upload-notification.ts";
import { startEmbeddedAws, type EmbeddedAws } from "./embedded-aws.ts";

let aws: EmbeddedAws;
beforeAll(async () => {
  aws = await startEmbeddedAws({ notifyUploads: true });
});
afterAll(async () => {
  await aws?.stop();
});

const receiveAll = async () => {
  const res = await aws.sqs.send(
    new ReceiveMessageCommand({ QueueUrl: aws.uploadsQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 2 }),
  );
  return (res.Messages ?? []).flatMap((m) => parseObjectCreated(m.Body ?? ""));
};

it("puts S3's ObjectCreated record on the uploads queue for objects under tenants/, with size and ETag", async () => {
  const put = await aws.s3.send(
    new PutObjectCommand({ Bucket: aws.bucket, Key: "elsewhere/x.jsonl", Body: "not under the prefix" }),
  );
  expect(put.ETag).toBeTruthy();
  const key = "tenants/t1/datasets/ds_1/train data.jsonl";
  const body = Buffer.from('{"messages":[]}\n');
  const created = await aws.s3.send(new PutObjectCommand({ Bucket: aws.bucket, Key: key, Body: body }));
  const records = await receiveAll();
  expect(records).toEqual([{ bucket: aws.bucket, key, size: body.length, etag: created.ETag!.replace(/"/g, "") }]);
});
