import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

/*
 * The API reference UI's browser bundle (Scalar's standalone build, pinned in package.json), served by the
 * app so that /docs works without outbound network (self-hosted and air-gapped deployments). The package
 * does not export the file, so it is found from the package's resolved entry point.
 */

const PACKAGE = "@scalar/api-reference";

function packageRoot(): { dir: string; version: string } {
  let dir = path.dirname(createRequire(import.meta.url).resolve(PACKAGE));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as {
        name?: string;
        version: string;
      };
      if (pkg.name === PACKAGE) return { dir, version: pkg.version };
    } catch {
      // no package.json at this level: keep walking up
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`${PACKAGE} is not installed (run npm ci)`);
    dir = parent;
  }
}

export interface ScalarBundle {
  /** Versioned, so the asset can be cached for long and a new release never meets a stale copy. */
  url: string;
  body: Buffer;
}

let cached: ScalarBundle | undefined;

/** Read once (about 5 MB), on the first request for /docs or its script. */
export function scalarBundle(): ScalarBundle {
  if (!cached) {
    const { dir, version } = packageRoot();
    cached = {
      url: `/docs/assets/scalar-${version}/standalone.js`,
      body: readFileSync(path.join(dir, "dist", "browser", "standalone.js")),
    };
  }
  return cached;
}
