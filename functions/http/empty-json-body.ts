import type { MiddlewareHandler } from "hono";

/**
 * An empty body sent with `content-type: application/json` means `{}`. HTTP client wrappers and SDKs often
 * set the header on every POST, including the body-less ones (complete, cancel, rotate, test, replay…);
 * those requests must not fail as malformed JSON. Routes that require fields still report them missing.
 */
export function emptyJsonBody(): MiddlewareHandler {
  return async (c, next) => {
    const type = c.req.header("content-type") ?? "";
    if (!["POST", "PUT", "PATCH"].includes(c.req.method) || !/^application\/(?:[\w.+-]+\+)?json\b/i.test(type)) {
      return next();
    }
    const declared = c.req.header("content-length");
    const empty =
      declared === "0" ||
      c.req.raw.body === null ||
      (declared === undefined && (await c.req.raw.clone().text()).trim() === "");
    if (empty) {
      const headers = new Headers(c.req.raw.headers);
      headers.set("content-length", "2");
      c.req.raw = new Request(c.req.raw.url, { method: c.req.method, headers, body: "{}" });
    }
    return next();
  };
}
