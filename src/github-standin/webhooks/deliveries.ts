import { randomUUID } from "node:crypto";
import type { JsonObject } from "../presenters/view.js";
import type { Clock } from "../world/clock.js";
import type { WebhookEvent } from "./payloads.js";
import { signWebhook } from "./sign.js";

/** Where webhooks go; with no URL they are only recorded in `events`. */
export interface WebhookTarget {
  readonly url: string | null;
  readonly secret: string | null;
}

/** One attempt to deliver one webhook (a redelivery is a new attempt with the same guid). */
export interface DeliveryRecord {
  readonly id: number;
  readonly guid: string;
  /** The URL it was sent to. */
  readonly url: string;
  readonly event: string;
  readonly action: string | null;
  readonly installationId: number;
  readonly repositoryId: number | null;
  readonly deliveredAt: number;
  readonly redelivery: boolean;
  readonly durationMs: number;
  /** The receiver's HTTP status, or 0 when it could not be reached. */
  readonly statusCode: number;
  /** GitHub's summary: `OK`, `Invalid HTTP Response: 500`, `timed out` … */
  readonly status: string;
  readonly requestHeaders: Readonly<Record<string, string>>;
  readonly payload: JsonObject;
  /** The exact bytes that were signed and sent. */
  readonly body: string;
  readonly responseHeaders: Readonly<Record<string, string>>;
  readonly responseBody: string | null;
}

interface Pending {
  readonly guid: string;
  readonly webhook: WebhookEvent;
  readonly installationId: number;
  readonly redelivery: boolean;
}

export interface WebhookSenderOptions {
  readonly clock: Clock;
  readonly appId: number;
  readonly hookId: number;
  readonly target: WebhookTarget;
  /** GitHub gives up after 10 seconds. */
  readonly timeoutMs?: number;
}

/**
 * Sends webhooks one at a time, in the order the world produced them, and records every attempt.
 * `settle()` resolves once everything queued so far has been attempted.
 */
export class WebhookSender {
  readonly events: WebhookEvent[] = [];
  readonly deliveries: DeliveryRecord[] = [];
  #target: WebhookTarget;
  #queue: Promise<void> = Promise.resolve();
  #nextId = 1;

  constructor(readonly options: WebhookSenderOptions) {
    this.#target = options.target;
  }

  get target(): WebhookTarget {
    return this.#target;
  }

  setTarget(target: WebhookTarget): void {
    this.#target = target;
  }

  /** Queues a webhook for delivery (recorded in `events` even when no URL is configured). */
  enqueue(webhook: WebhookEvent, installationId: number): void {
    this.events.push(webhook);
    this.#schedule({ guid: randomUUID(), webhook, installationId, redelivery: false });
  }

  /** Sends a recorded delivery again, with the same guid and payload; null if the id is unknown. */
  redeliver(id: number): DeliveryRecord | null {
    const original = this.deliveries.find((delivery) => delivery.id === id);
    if (!original) return null;
    const webhook: WebhookEvent = {
      event: original.event,
      action: original.action,
      payload: original.payload,
      repositoryId: original.repositoryId ?? 0,
    };
    this.#schedule({
      guid: original.guid,
      webhook,
      installationId: original.installationId,
      redelivery: true,
    });
    return original;
  }

  /** Resolves when every webhook queued so far has been attempted. */
  async settle(): Promise<void> {
    let current: Promise<void>;
    do {
      current = this.#queue;
      await current;
    } while (current !== this.#queue);
  }

  #schedule(pending: Pending): void {
    if (!this.#target.url) return;
    const target = this.#target;
    this.#queue = this.#queue.then(() => this.#deliver(pending, target));
  }

  async #deliver(pending: Pending, target: WebhookTarget): Promise<void> {
    const url = target.url;
    if (!url) return;
    const body = JSON.stringify(pending.webhook.payload);
    const headers: Record<string, string> = {
      accept: "*/*",
      "content-type": "application/json",
      "user-agent": "GitHub-Hookshot/standin",
      "x-github-delivery": pending.guid,
      "x-github-event": pending.webhook.event,
      "x-github-hook-id": String(this.options.hookId),
      "x-github-hook-installation-target-id": String(this.options.appId),
      "x-github-hook-installation-target-type": "integration",
    };
    if (target.secret) headers["x-hub-signature-256"] = signWebhook(target.secret, body);
    const started = performance.now();
    const deliveredAt = this.options.clock.now();
    let statusCode = 0;
    let status: string;
    let responseHeaders: Record<string, string> = {};
    let responseBody: string | null = null;
    try {
      const response = await fetch(url, {
        method: "POST",
        headers,
        body,
        redirect: "manual",
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
      statusCode = response.status;
      responseHeaders = Object.fromEntries(response.headers);
      responseBody = await response.text();
      status = response.ok ? "OK" : `Invalid HTTP Response: ${response.status}`;
    } catch (error) {
      const name = error instanceof Error ? error.name : "";
      status = name === "TimeoutError" || name === "AbortError" ? "timed out" : "failed to connect to host";
    }
    this.deliveries.push({
      id: this.#nextId++,
      guid: pending.guid,
      url,
      event: pending.webhook.event,
      action: pending.webhook.action,
      installationId: pending.installationId,
      repositoryId: pending.webhook.repositoryId || null,
      deliveredAt,
      redelivery: pending.redelivery,
      durationMs: Math.round((performance.now() - started) * 1000) / 1000,
      statusCode,
      status,
      requestHeaders: headers,
      payload: pending.webhook.payload,
      body,
      responseHeaders,
      responseBody,
    });
  }
}
