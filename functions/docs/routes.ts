import { Scalar } from "@scalar/hono-api-reference";
import { Hono } from "hono";
import type { AppEnv } from "../deps.ts";
import { scalarBundle } from "./scalar-bundle.ts";

/**
 * `/docs`: the interactive API reference over `/openapi.json`, with the UI's script served from the app
 * (`/docs/assets/scalar-<version>/standalone.js`) and Scalar's web fonts off, so the page needs no CDN.
 */
export function docsRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get("/", (c, next) =>
    Scalar<AppEnv>({
      url: "/openapi.json",
      pageTitle: "guardtune API reference",
      cdn: scalarBundle().url,
      withDefaultFonts: false,
    })(c, next),
  );
  app.get("/assets/:release/standalone.js", (c) => {
    const bundle = scalarBundle();
    if (c.req.path !== bundle.url) return c.notFound();
    return c.body(new Uint8Array(bundle.body), 200, {
      "content-type": "text/javascript; charset=utf-8",
      "cache-control": "public, max-age=31536000, immutable",
      "x-content-type-options": "nosniff",
    });
  });
  return app;
}
