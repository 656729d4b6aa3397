import { Hono } from "hono";
import type { AppDeps, AppEnv } from "../deps.ts";
import { adminAuth } from "./admin-auth.ts";
import { loadAdminOverview, overviewJson } from "./admin-overview.ts";
import { renderDashboard } from "./render-dashboard.ts";

/** The page loads nothing from elsewhere and runs no script: only its own inline style is allowed. */
const DASHBOARD_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * The operators' dashboard, mounted at `/admin`: the admin views as JSON (`/admin/api/overview`) and as one
 * server-rendered page (`/admin`). Authenticated by `GUARDTUNE_ADMIN_KEY`, not by tenant API keys.
 */
export function adminRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use("*", adminAuth(deps.config.adminKey));
  app.get("/api/overview", async (c) => {
    const overview = await loadAdminOverview(deps.db);
    c.header("cache-control", "no-store");
    return c.json(overviewJson(overview));
  });
  app.get("/", async (c) => {
    const overview = await loadAdminOverview(deps.db);
    c.header("cache-control", "no-store");
    c.header("content-security-policy", DASHBOARD_CSP);
    c.header("x-content-type-options", "nosniff");
    return c.html(renderDashboard(overview));
  });
  return app;
}
