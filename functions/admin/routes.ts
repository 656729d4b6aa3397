import { Hono, type Context } from "hono";
import type { AppDeps, AppEnv } from "../deps.ts";
import { adminAuth } from "./admin-auth.ts";
import { filtersQuery, parseFilters } from "./admin-filters.ts";
import { adminDocument } from "./admin-layout.ts";
import { loadAdminOverview, overviewJson } from "./admin-overview.ts";
import { escapeHtml } from "./html-kit.ts";
import { LIVE_REFRESH_JS } from "./live-refresh.ts";
import { loadCharts } from "./load-charts.ts";
import { loadJobDetail } from "./load-job-detail.ts";
import { loadSafety } from "./load-safety.ts";
import { renderJobLive } from "./render-job-page.ts";
import { renderOverviewLive, type OverviewPage } from "./render-overview.ts";

/**
 * The pages load only the app's own script (the live refresh) and post nowhere but back to /admin;
 * inline style is the only inline content.
 */
const DASHBOARD_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; script-src 'self'; connect-src 'self'; base-uri 'none'; " +
  "form-action 'self'; frame-ancestors 'none'";

const JOB_ID = /^[A-Za-z0-9_-]{1,200}$/;

function html(c: Context<AppEnv>, body: string, status: 200 | 404 = 200) {
  c.header("cache-control", "no-store");
  c.header("content-security-policy", DASHBOARD_CSP);
  c.header("x-content-type-options", "nosniff");
  return c.html(body, status);
}

/**
 * The operators' dashboard, mounted at `/admin`: the overview (charts, safety panel, status tables), a page
 * per job, the `#live` partials the refresh script swaps in, and the views as JSON (`/admin/api/overview`).
 * Authenticated by `GUARDTUNE_ADMIN_KEY`, not by tenant API keys.
 */
export function adminRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use("*", adminAuth(deps.config.adminKey));

  const overviewPage = async (c: Context<AppEnv>): Promise<OverviewPage> => {
    const filters = parseFilters(c.req.query());
    const [overview, charts, safety] = await Promise.all([
      loadAdminOverview(deps.db),
      loadCharts(deps.db, filters),
      loadSafety(deps.db, filters.tenant),
    ]);
    const tenantName = overview.tenant_usage.find((t) => t.tenantId === filters.tenant)?.tenantName;
    return { filters, tenantName, overview, charts, safety };
  };

  app.get("/api/overview", async (c) => {
    const overview = await loadAdminOverview(deps.db);
    c.header("cache-control", "no-store");
    return c.json(overviewJson(overview));
  });
  app.get("/assets/live-refresh.js", (c) => {
    c.header("cache-control", "no-cache");
    c.header("x-content-type-options", "nosniff");
    return c.body(LIVE_REFRESH_JS, 200, { "content-type": "text/javascript; charset=utf-8" });
  });
  app.get("/", async (c) => {
    const page = await overviewPage(c);
    return html(
      c,
      adminDocument({
        title: "Overview",
        live: renderOverviewLive(page),
        partialUrl: `/admin/partials/overview?${filtersQuery(page.filters)}`,
        filters: page.filters,
        tenants: page.overview.tenant_usage.map((t) => ({ id: t.tenantId, name: t.tenantName })),
      }),
    );
  });
  app.get("/partials/overview", async (c) => html(c, renderOverviewLive(await overviewPage(c))));
  app.get("/search", (c) => {
    const id = (c.req.query("id") ?? "").trim();
    return c.redirect(JOB_ID.test(id) ? `/admin/jobs/${encodeURIComponent(id)}` : "/admin", 303);
  });

  const notFound = (c: Context<AppEnv>, id: string) =>
    html(
      c,
      adminDocument({
        title: "Job not found",
        live: `<h2>No job ${escapeHtml(id)}</h2><p>Check the id (it starts with <code>ftjob_</code>) or go back to the <a href="/admin">overview</a>.</p>`,
        partialUrl: "",
      }),
      404,
    );
  app.get("/jobs/:id", async (c) => {
    const id = c.req.param("id");
    const detail = JOB_ID.test(id) ? await loadJobDetail(deps.db, id) : null;
    if (!detail) return notFound(c, id);
    return html(
      c,
      adminDocument({
        title: id,
        live: renderJobLive(detail),
        partialUrl: `/admin/partials/jobs/${encodeURIComponent(id)}`,
      }),
    );
  });
  app.get("/partials/jobs/:id", async (c) => {
    const id = c.req.param("id");
    const detail = JOB_ID.test(id) ? await loadJobDetail(deps.db, id) : null;
    return detail ? html(c, renderJobLive(detail)) : html(c, `<p>No job ${escapeHtml(id)}.</p>`, 404);
  });
  return app;
}
