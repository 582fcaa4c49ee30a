import type { Actor } from "../domain/actors.js";
import type { Priority } from "../domain/priorities.js";
import type { TicketRow } from "../db/schema.js";
import {
  assignTicket,
  createTicketForIssue,
  findTicketById,
  findTicketByIssue,
  linkIssue,
  setTicketPriority,
} from "./app-tickets.js";
import {
  findCommandReply,
  type NewCommandReply,
  recordCommandOutcome,
  recordReplyPosted,
} from "./command-replies.js";
import type { LifecycleDeps } from "./deps.js";
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

export type { FieldChangeResult, IssueTicketResult } from "./app-tickets.js";
export type { MirrorBatch } from "./mirror-outbox.js";
export type { RecordDeliveryResult } from "./webhook-deliveries.js";

/** The GitHub App's part of `createLifecycle` (webhook deliveries, command replies, the mirror outbox). */
export function appApi(deps: LifecycleDeps) {
  const { db } = deps;
  return {
    recordDelivery: (input: NewDelivery) => recordDelivery(deps, input),
    finishDelivery: (input: Parameters<typeof finishDelivery>[1]) => finishDelivery(deps, input),
    findDelivery: (deliveryId: string) => findDelivery(db, deliveryId),
    recentDeliveries: (limit: number) => recentDeliveries(db, limit),
    recordCommandOutcome: (input: NewCommandReply) => recordCommandOutcome(deps, input),
    recordReplyPosted: (input: { commentId: number; replyCommentId: number }) =>
      recordReplyPosted(deps, input),
    findCommandReply: (commentId: number) => findCommandReply(db, commentId),
    assign: (input: { ticket: TicketRow; assignee: string | null; actor: Actor }) =>
      assignTicket(deps, input),
    setPriority: (input: { ticket: TicketRow; priority: Priority; actor: Actor }) =>
      setTicketPriority(deps, input),
    linkIssue: (input: { ticketId: number; issueNumber: number }) => linkIssue(deps, input),
    createTicketForIssue: (input: Parameters<typeof createTicketForIssue>[1]) =>
      createTicketForIssue(deps, input),
    ticketByIssue: (input: { repository: string; issueNumber: number }) => findTicketByIssue(db, input),
    ticketById: (id: number) => findTicketById(db, id),
    mirror: {
      take: (input: { worker: string; leaseMs: number; limit: number }) => takeMirrorBatches(deps, input),
      events: (batch: MirrorBatch) => eventsOfBatch(db, batch),
      complete: (input: { batch: MirrorBatch; worker: string }) => completeMirrorBatch(deps, input),
      fail: (input: { batch: MirrorBatch; worker: string; error: string; retryAt: Date }) =>
        failMirrorBatch(deps, input),
      backlog: () => mirrorBacklog(db),
      jobsOf: (ticketId: number) => mirrorJobsOf(db, ticketId),
    },
  };
}
