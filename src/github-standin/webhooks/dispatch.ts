import type { View } from "../presenters/view.js";
import { installationsCovering } from "../world/apps.js";
import type { WorldEvent } from "../world/events.js";
import type { AppRecord } from "../world/types.js";
import type { WebhookSender } from "./deliveries.js";
import { buildWebhook } from "./payloads.js";

/**
 * Connects the world to the app's webhook: each world event in a repository where the app is
 * installed (and subscribed to that event) becomes one delivery, rendered at once.
 */
export function forwardWorldEvents(
  view: () => View,
  app: AppRecord,
  sender: WebhookSender,
): (event: WorldEvent) => void {
  return (event) => {
    const current = view();
    const repo = current.world.repositories.get(event.repositoryId);
    if (!repo) return;
    for (const installation of installationsCovering(current.world, repo)) {
      if (installation.appId !== app.id || !installation.events.includes(event.kind)) continue;
      const webhook = buildWebhook(current, event, installation);
      if (webhook) sender.enqueue(webhook, installation.id);
    }
  };
}
