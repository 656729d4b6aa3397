import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { ApiError } from "../../core/errors.ts";
import type { AppEnv } from "../deps.ts";

/**
 * Refuses request bodies above `maxBytes` with 413 `body_too_large`. JSON request bodies are small; file
 * bytes go to S3 directly, and multipart uploads to `POST /v1/files` stream to S3 with their own limit.
 */
export function jsonBodyLimit(maxBytes: number): MiddlewareHandler<AppEnv> {
  const limit = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new ApiError({
        status: 413,
        code: "body_too_large",
        title: "Content Too Large",
        detail: `Request bodies are limited to ${maxBytes} bytes. Upload dataset files through the presigned URL from POST /v1/datasets.`,
      });
    },
  });
  return async function limitJsonBody(c, next) {
    if (c.req.path === "/v1/files" && c.req.method === "POST") return next();
    return limit(c, next);
  };
}
