import type { History } from "../history.js";
import { explain, type InvariantOutcome, outcome } from "./finding.js";

/**
 * Every webhook the stand-in sent was handled by the app: its GUID is recorded `handled` (after
 * however many redeliveries). A GUID still unhandled when a bound-ended run stopped is explained.
 */
export function checkWebhooksHandled(history: History): InvariantOutcome {
  const result = outcome();
  const received = new Map(history.webhooksReceived.map((w) => [w.guid, w]));
  const sent = new Set(history.webhooksSent.map((w) => w.guid));
  for (const webhook of history.webhooksSent) {
    const record = received.get(webhook.guid);
    if (record?.status === "handled") continue;
    const subject = `webhook ${webhook.guid} (${webhook.event}${webhook.action ? `.${webhook.action}` : ""})`;
    const tries = `sent ${webhook.statusCodes.length} time(s), answered ${webhook.statusCodes.join(", ")}`;
    if (history.endedBy === "bound") explain(result, "unhandled_at_bound");
    else
      result.findings.push({
        invariant: "webhooks_handled",
        category: "lost",
        subject,
        message: `never handled (${record ? `recorded ${record.status}` : "not recorded"}; ${tries})`,
      });
  }
  for (const webhook of history.webhooksReceived)
    if (!sent.has(webhook.guid))
      result.findings.push({
        invariant: "webhooks_handled",
        category: "unexpected",
        subject: `webhook ${webhook.guid}`,
        message: "recorded by the app, but GitHub never sent it",
      });
  return result;
}
