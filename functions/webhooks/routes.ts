import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { toEndpointObject } from "./webhook-objects.ts";
import type { AppDeps, AppEnv } from "../deps.ts";
import { problemResponses } from "../http/problem.ts";
import { createRouter } from "../http/router.ts";
import {
  createEndpoint,
  deleteEndpoint,
  replayDelivery,
  rotateEndpointSecret,
  sendTestEvent,
  updateEndpoint,
} from "./endpoint-actions.ts";
import {
  CreateEndpointBody,
  DeletedEndpointSchema,
  DeliveryListSchema,
  DeliverySchema,
  EndpointListSchema,
  EndpointSchema,
  EndpointWithSecretSchema,
  IdParam,
  ListDeliveriesQuery,
  ListQuery,
  UpdateEndpointBody,
} from "./schemas.ts";
import {
  getTenantDelivery,
  getTenantEndpoint,
  listEndpointDeliveries,
  listTenantEndpoints,
  toDeliveryObjects,
} from "./webhook-queries.ts";

const tags = ["Webhooks"];
const json = <T>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });
const jsonBody = <T>(schema: T) => ({ body: { required: true, content: { "application/json": { schema } } } });

const createEndpointRoute = createRoute({
  method: "post",
  path: "/webhook_endpoints",
  tags,
  summary: "Register a webhook endpoint",
  description:
    "Events are signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`). The secret is returned only here (and by rotate_secret).",
  request: jsonBody(CreateEndpointBody),
  responses: { 201: json(EndpointWithSecretSchema, "Endpoint created"), ...problemResponses(401, 422) },
});
const listEndpointsRoute = createRoute({
  method: "get",
  path: "/webhook_endpoints",
  tags,
  summary: "List webhook endpoints, newest first",
  request: { query: ListQuery },
  responses: { 200: json(EndpointListSchema, "A page of endpoints"), ...problemResponses(401, 422) },
});
const getEndpointRoute = createRoute({
  method: "get",
  path: "/webhook_endpoints/{id}",
  tags,
  summary: "Get a webhook endpoint",
  request: { params: IdParam },
  responses: { 200: json(EndpointSchema, "The endpoint"), ...problemResponses(401, 404) },
});
const updateEndpointRoute = createRoute({
  method: "patch",
  path: "/webhook_endpoints/{id}",
  tags,
  summary: "Change an endpoint's URL, events, description or enabled flag",
  request: { params: IdParam, ...jsonBody(UpdateEndpointBody) },
  responses: { 200: json(EndpointSchema, "The updated endpoint"), ...problemResponses(401, 404, 422) },
});
const deleteEndpointRoute = createRoute({
  method: "delete",
  path: "/webhook_endpoints/{id}",
  tags,
  summary: "Delete a webhook endpoint",
  request: { params: IdParam },
  responses: { 200: json(DeletedEndpointSchema, "Deleted"), ...problemResponses(401, 404) },
});
const rotateSecretRoute = createRoute({
  method: "post",
  path: "/webhook_endpoints/{id}/rotate_secret",
  tags,
  summary: "Rotate the signing secret",
  description: "Returns the new secret. For 24 hours deliveries carry signatures by both the old and the new secret.",
  request: { params: IdParam },
  responses: {
    200: json(EndpointWithSecretSchema, "The endpoint with its new secret"),
    ...problemResponses(401, 404, 409),
  },
});
const testEndpointRoute = createRoute({
  method: "post",
  path: "/webhook_endpoints/{id}/test",
  tags,
  summary: "Send a webhook.test event to this endpoint",
  request: { params: IdParam },
  responses: { 202: json(DeliverySchema, "The test delivery, queued"), ...problemResponses(401, 404, 409) },
});
const listDeliveriesRoute = createRoute({
  method: "get",
  path: "/webhook_endpoints/{id}/deliveries",
  tags,
  summary: "List an endpoint's deliveries with their attempts, newest first",
  request: { params: IdParam, query: ListDeliveriesQuery },
  responses: { 200: json(DeliveryListSchema, "A page of deliveries"), ...problemResponses(401, 404, 422) },
});
const getDeliveryRoute = createRoute({
  method: "get",
  path: "/webhook_deliveries/{id}",
  tags,
  summary: "Get a delivery with its attempts",
  request: { params: IdParam },
  responses: { 200: json(DeliverySchema, "The delivery"), ...problemResponses(401, 404) },
});
const replayDeliveryRoute = createRoute({
  method: "post",
  path: "/webhook_deliveries/{id}/replay",
  tags,
  summary: "Send a delivery's event again",
  description: "Creates a new delivery of the same event (same `webhook-id`) to the same endpoint.",
  request: { params: IdParam },
  responses: { 202: json(DeliverySchema, "The new delivery, queued"), ...problemResponses(401, 404, 409) },
});

/** The `/v1/webhook_endpoints` routes: endpoints, secret rotation, test events, deliveries and replays. */
export function webhookRoutes(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = createRouter();
  const deliveryObject = async (row: Parameters<typeof toDeliveryObjects>[1][number]) =>
    (await toDeliveryObjects(deps.db, [row]))[0];

  app.openapi(createEndpointRoute, async (c) => {
    const { row, secret } = await createEndpoint(deps, c.get("tenant"), c.req.valid("json"));
    return c.json({ ...toEndpointObject(row), secret }, 201);
  });
  app.openapi(listEndpointsRoute, async (c) => {
    const page = await listTenantEndpoints(deps.db, c.get("tenant").id, c.req.valid("query"));
    return c.json(
      {
        object: "list" as const,
        data: page.rows.map(toEndpointObject),
        has_more: page.hasMore,
        next_cursor: page.nextCursor,
      },
      200,
    );
  });
  app.openapi(getEndpointRoute, async (c) => {
    const row = await getTenantEndpoint(deps.db, c.get("tenant").id, c.req.valid("param").id);
    return c.json(toEndpointObject(row), 200);
  });
  app.openapi(updateEndpointRoute, async (c) => {
    const row = await updateEndpoint(deps, c.get("tenant"), c.req.valid("param").id, c.req.valid("json"));
    return c.json(toEndpointObject(row), 200);
  });
  app.openapi(deleteEndpointRoute, async (c) => {
    const { id } = c.req.valid("param");
    await deleteEndpoint(deps, c.get("tenant"), id);
    return c.json({ id, object: "webhook_endpoint" as const, deleted: true as const }, 200);
  });
  app.openapi(rotateSecretRoute, async (c) => {
    const { row, secret } = await rotateEndpointSecret(deps, c.get("tenant"), c.req.valid("param").id);
    return c.json({ ...toEndpointObject(row), secret }, 200);
  });
  app.openapi(testEndpointRoute, async (c) => {
    const row = await sendTestEvent(deps, c.get("tenant"), c.req.valid("param").id);
    return c.json(await deliveryObject(row), 202);
  });
  app.openapi(listDeliveriesRoute, async (c) => {
    const endpoint = await getTenantEndpoint(deps.db, c.get("tenant").id, c.req.valid("param").id);
    const page = await listEndpointDeliveries(deps.db, endpoint.id, c.req.valid("query"));
    const data = await toDeliveryObjects(deps.db, page.rows);
    return c.json({ object: "list" as const, data, has_more: page.hasMore, next_cursor: page.nextCursor }, 200);
  });
  app.openapi(getDeliveryRoute, async (c) => {
    const row = await getTenantDelivery(deps.db, c.get("tenant").id, c.req.valid("param").id);
    return c.json(await deliveryObject(row), 200);
  });
  app.openapi(replayDeliveryRoute, async (c) => {
    const row = await replayDelivery(deps, c.get("tenant"), c.req.valid("param").id);
    return c.json(await deliveryObject(row), 202);
  });
  return app;
}
