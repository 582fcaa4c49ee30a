import type { DeliveryRecord } from "../webhooks/deliveries.js";
import { isoTime } from "../world/clock.js";
import type { JsonObject } from "./view.js";

/** "Simple webhook delivery" (`GET /app/hook/deliveries`). Durations are in seconds. */
export function presentDeliverySummary(delivery: DeliveryRecord): JsonObject {
  return {
    id: delivery.id,
    guid: delivery.guid,
    delivered_at: isoTime(delivery.deliveredAt),
    redelivery: delivery.redelivery,
    duration: delivery.durationMs / 1000,
    status: delivery.status,
    status_code: delivery.statusCode,
    event: delivery.event,
    action: delivery.action,
    installation_id: delivery.installationId,
    repository_id: delivery.repositoryId,
    throttled_at: null,
  };
}

/** "Webhook delivery" with the request and response (`GET /app/hook/deliveries/{id}`). */
export function presentDelivery(delivery: DeliveryRecord): JsonObject {
  return {
    ...presentDeliverySummary(delivery),
    url: delivery.url,
    request: { headers: { ...delivery.requestHeaders }, payload: delivery.payload },
    response: { headers: { ...delivery.responseHeaders }, payload: delivery.responseBody },
  };
}
