/**
 * The store: the only writer of the GitHub App's durable plumbing, beside the lifecycle (the only
 * writer of the design's tables). It owns webhook deliveries and failures, command replies, the
 * mirror outbox, the command requests and the evidence re-evaluation queue (leased queues,
 * src/store/leased-queue.ts),
 * the verifier's HTTP ETag cache, the prompt-dispatch slots and the API tokens. Two rows are inserted by the
 * lifecycle instead, in the transaction of the change that needs them: a ticket event's mirror job
 * and a completion's or verdict's re-evaluation request (test/architecture/single-writer.test.ts).
 *
 * Callers take narrow ports: `Pick<Store, "deliveries">`, `Store["mirror"]`, …
 */
import type { NewReevaluation } from "../domain/reevaluation-requests.js";
import { checkApiToken, createApiToken, listApiTokens, revokeApiToken } from "./api-tokens.js";
import {
  type NewCommandReply,
  findCommandReply,
  recordCommandOutcome,
  recordReplyPosted,
} from "./command-replies.js";
import {
  commandRequestQueue,
  findCommandRequest,
  type NewCommandRequest,
  requestCommand,
} from "./command-requests.js";
import type { StoreDeps } from "./deps.js";
import { claimDispatchSlot, releaseDispatchSlot } from "./dispatch-trigger-slots.js";
import { findReevaluation, reevaluationQueue, requestReevaluation } from "./evidence-reevaluations.js";
import { getHttpCache, putHttpCache } from "./http-cache.js";
import type { TakeInput } from "./leased-queue.js";
import {
  completeMirrorBatch,
  eventsOfBatch,
  failMirrorBatch,
  type MirrorBatch,
  mirrorBacklog,
  mirrorJobsOf,
  takeMirrorBatches,
} from "./mirror-outbox.js";
import {
  findDelivery,
  finishDelivery,
  type NewDelivery,
  recentDeliveries,
  recordDelivery,
} from "./webhook-deliveries.js";
import { failDelivery, recentWebhookFailures, unresolvedWebhookFailures } from "./webhook-failures.js";

export type {
  ApiTokenCheck,
  ApiTokenInfo,
  CreateApiTokenResult,
  RevokeApiTokenResult,
} from "./api-tokens.js";
export type { NewCommandReply } from "./command-replies.js";
export type { NewCommandRequest, TakenCommandRequest } from "./command-requests.js";
export type { Clock, StoreDeps } from "./deps.js";
export type { TakenReevaluation } from "./evidence-reevaluations.js";
export type { Completed, Failed, LockLost, Taken } from "./leased-queue.js";
export type { MirrorBatch } from "./mirror-outbox.js";
export {
  isBusy,
  type Loop,
  type PassReport,
  type QueuePort,
  type QueueWorker,
  runQueuePass,
  runUntilIdle,
  startLoop,
} from "./queue-loop.js";
export type { NewDelivery, RecordDeliveryResult } from "./webhook-deliveries.js";
export type { UnresolvedWebhookFailure } from "./webhook-failures.js";

export type Store = ReturnType<typeof createStore>;

export function createStore(deps: StoreDeps) {
  const { db } = deps;
  return {
    /** Webhook deliveries by `X-GitHub-Delivery`: the intake's dedupe and lease (webhook-deliveries.ts). */
    deliveries: {
      record: (input: NewDelivery) => recordDelivery(deps, input),
      finish: (input: Parameters<typeof finishDelivery>[1]) => finishDelivery(deps, input),
      /** A handler threw: forget the delivery (so a redelivery runs it) and keep the failure. */
      fail: (input: NewDelivery & { error: string }) => failDelivery(deps, input),
      find: (deliveryId: string) => findDelivery(db, deliveryId),
      recent: (limit: number) => recentDeliveries(db, limit),
    },
    /** Failed webhook handlers, for the operator (webhook-failures.ts). */
    webhookFailures: {
      unresolved: (input: { since: Date; limit: number }) => unresolvedWebhookFailures(db, input),
      recent: (input: { since: Date }) => recentWebhookFailures(db, input),
    },
    /** One reply per `/mc` comment (command-replies.ts). */
    commandReplies: {
      record: (input: NewCommandReply) => recordCommandOutcome(deps, input),
      replyPosted: (input: { commentId: number; replyCommentId: number }) => recordReplyPosted(deps, input),
      find: (commentId: number) => findCommandReply(db, commentId),
    },
    /** `/mc` comments waiting for the command worker, a leased queue (command-requests.ts). */
    commandRequests: {
      ...commandRequestQueue(deps),
      request: (input: NewCommandRequest) => requestCommand(deps, input),
      find: (commentId: number) => findCommandRequest(db, commentId),
    },
    /** The mirror outbox, a leased queue grouped by ticket (mirror-outbox.ts). */
    mirror: {
      take: (input: TakeInput) => takeMirrorBatches(deps, input),
      events: (batch: MirrorBatch) => eventsOfBatch(db, batch),
      complete: (input: { job: MirrorBatch; worker: string }) => completeMirrorBatch(deps, input),
      fail: (input: { job: MirrorBatch; worker: string; error: string; delayMs: number }) =>
        failMirrorBatch(deps, input),
      backlog: () => mirrorBacklog(db),
      jobsOf: (ticketId: number) => mirrorJobsOf(db, ticketId),
    },
    /** Evidence re-evaluation requests, a leased queue (evidence-reevaluations.ts). */
    reevaluations: {
      ...reevaluationQueue(deps),
      request: (input: NewReevaluation) => requestReevaluation(deps, input),
      findByDelivery: (deliveryId: string) => findReevaluation(db, deliveryId),
    },
    /** The verifier's conditional-request cache (http-cache.ts); the shape `databaseHttpCache` takes. */
    httpCache: {
      getHttpCache: (url: string) => getHttpCache(db, url),
      putHttpCache: (entry: Parameters<typeof putHttpCache>[1]) => putHttpCache(deps, entry),
    },
    /** API tokens for `/api/v1` (api-tokens.ts): only their hashes are stored. */
    apiTokens: {
      create: (input: Parameters<typeof createApiToken>[1]) => createApiToken(deps, input),
      list: () => listApiTokens(db),
      revoke: (input: { name: string }) => revokeApiToken(deps, input),
      check: (token: string) => checkApiToken(deps, token),
    },
    /** Prompt dispatch: take the repository's slot for this interval, give it back if the call failed. */
    dispatchSlot: {
      claim: (input: { repository: string; intervalMs: number }) => claimDispatchSlot(deps, input),
      release: (input: { repository: string; takenAt: Date }) => releaseDispatchSlot(deps, input),
    },
  };
}
