import { describe, expect, it } from "vitest";
import { objectCreatedNotification, parseObjectCreated } from "./upload-notification.ts";

describe("S3 ObjectCreated notifications", () => {
  it("reads AWS's notification format, with URL-encoded keys, and ignores other events", () => {
    const body = objectCreatedNotification({
      region: "eu-west-1",
      bucket: "b",
      key: "tenants/t/datasets/file_1/my data+x.jsonl",
      size: 5,
      etag: '"abc"',
      multipart: false,
    });
    expect(JSON.parse(body).Records[0].s3.object.key).toBe("tenants/t/datasets/file_1/my+data%2Bx.jsonl");
    expect(parseObjectCreated(body)).toEqual([
      { bucket: "b", key: "tenants/t/datasets/file_1/my data+x.jsonl", size: 5, etag: "abc" },
    ]);
    expect(parseObjectCreated(JSON.stringify({ Service: "Amazon S3", Event: "s3:TestEvent" }))).toEqual([]);
    expect(parseObjectCreated("not json")).toEqual([]);
  });
});
