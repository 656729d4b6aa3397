import { z } from "@hono/zod-openapi";
import { WEBHOOK_DELIVERY_STATUSES } from "../../core/db/schema.ts";
import { WEBHOOK_EVENT_TYPES } from "../../core/webhooks/outbox.ts";

/** What an endpoint can subscribe to: the announced types (not the internal `webhook.test`) or `*`. */
export const SUBSCRIBABLE_EVENT_TYPES = WEBHOOK_EVENT_TYPES.filter((t) => t !== "webhook.test");

const EventsField = z
  .array(z.enum(["*", ...SUBSCRIBABLE_EVENT_TYPES] as [string, ...string[]]))
  .min(1)
  .max(SUBSCRIBABLE_EVENT_TYPES.length + 1)
  .openapi({
    description: 'Event types to receive, or ["*"] for all.',
    example: ["fine_tuning.job.succeeded", "fine_tuning.job.failed"],
  });
const UrlField = z.string().max(2048).openapi({
  description: "Where events are POSTed. https only (http in embedded mode); private addresses are refused.",
  example: "https://example.com/hooks/guardtune",
});

export const CreateEndpointBody = z
  .object({ url: UrlField, events: EventsField, description: z.string().max(500).optional() })
  .openapi("CreateWebhookEndpointRequest");

export const UpdateEndpointBody = z
  .object({
    url: UrlField.optional(),
    events: EventsField.optional(),
    description: z.string().max(500).nullable().optional(),
    enabled: z
      .boolean()
      .optional()
      .openapi({ description: "Re-enabling clears the disabled reason and the failure streak." }),
  })
  .openapi("UpdateWebhookEndpointRequest");

export const EndpointSchema = z
  .object({
    object: z.literal("webhook_endpoint"),
    id: z.string().openapi({ example: "we_01jd2x3y4z5a6b7c8d9e0f1g2h" }),
    url: z.string(),
    events: z.array(z.string()),
    description: z.string().nullable(),
    enabled: z.boolean(),
    disabled_reason: z.string().nullable(),
    disabled_at: z.number().int().nullable(),
    previous_secret_expires_at: z
      .number()
      .int()
      .nullable()
      .openapi({ description: "After a rotation, the old secret also signs until this time." }),
    created_at: z.number().int(),
    updated_at: z.number().int(),
  })
  .openapi("WebhookEndpoint");

export const EndpointWithSecretSchema = EndpointSchema.extend({
  secret: z.string().openapi({
    description: "Signing secret (`whsec_...`). Shown only in this response; store it.",
    example: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  }),
}).openapi("WebhookEndpointWithSecret");

export const EndpointListSchema = z
  .object({
    object: z.literal("list"),
    data: z.array(EndpointSchema),
    has_more: z.boolean(),
    next_cursor: z.string().nullable(),
  })
  .openapi("WebhookEndpointList");

export const DeletedEndpointSchema = z
  .object({ id: z.string(), object: z.literal("webhook_endpoint"), deleted: z.literal(true) })
  .openapi("DeletedWebhookEndpoint");

export const DeliverySchema = z
  .object({
    object: z.literal("webhook_delivery"),
    id: z.string().openapi({ example: "wd_01jd2x3y4z5a6b7c8d9e0f1g2h" }),
    endpoint_id: z.string(),
    event_id: z.string().openapi({ description: "Also the `webhook-id` header of every attempt." }),
    event_type: z.string(),
    status: z.enum(WEBHOOK_DELIVERY_STATUSES),
    attempts: z.number().int(),
    next_attempt_at: z.number().int().nullable(),
    last_attempt_at: z.number().int().nullable(),
    last_status_code: z.number().int().nullable(),
    last_error: z.string().nullable(),
    last_latency_ms: z.number().int().nullable(),
    delivered_at: z.number().int().nullable(),
    replay_of: z.string().nullable(),
    created_at: z.number().int(),
    attempt_log: z.array(
      z.object({
        attempt: z.number().int(),
        started_at: z.number().int(),
        status_code: z.number().int().nullable(),
        latency_ms: z.number().int().nullable(),
        error: z.string().nullable(),
      }),
    ),
  })
  .openapi("WebhookDelivery");

export const DeliveryListSchema = z
  .object({
    object: z.literal("list"),
    data: z.array(DeliverySchema),
    has_more: z.boolean(),
    next_cursor: z.string().nullable(),
  })
  .openapi("WebhookDeliveryList");

export const IdParam = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: "id", in: "path" } }),
});

export const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  after: z.string().max(100).optional().openapi({ description: "The next_cursor of the previous page" }),
});

export const ListDeliveriesQuery = ListQuery.extend({ status: z.enum(WEBHOOK_DELIVERY_STATUSES).optional() });
