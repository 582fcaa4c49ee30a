/**
 * The parts of the webhook payloads the app acts on, validated at the boundary. A signed payload is
 * still not trusted to have GitHub's shape (a proxy, a replay tool or a bug can send anything):
 * what does not fit is ignored with the reason (`ignored:malformed_payload:<path>`) instead of
 * failing inside a handler, and nothing is written for it.
 */
import { z } from "zod";
import type { CommentFacts } from "./commands/handle-comment.js";
import type { IssueFacts } from "./issues.js";

const Count = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const Name = z.string().min(1).max(256);
const Account = z.object({ login: Name, type: z.string().max(64).optional() });

/** What every payload the app acts on carries: who, where, and which installation to answer as. */
const Envelope = z.object({
  action: z.string().min(1).max(100),
  installation: z.object({ id: Count }),
  repository: z.object({ name: Name, owner: z.object({ login: Name }) }),
  sender: Account,
});

const IssueCommentCreated = Envelope.extend({
  issue: z.object({ number: Count }),
  comment: z.object({
    id: Count,
    body: z.string().nullable(),
    user: Account.nullable().optional(),
  }),
});

const IssuesEvent = Envelope.extend({
  issue: z.object({
    number: Count,
    title: z.string(),
    body: z.string().nullable().optional(),
    labels: z.array(z.union([z.string(), z.object({ name: z.string() }), z.null()])).optional(),
  }),
  label: z.object({ name: z.string() }).nullable().optional(),
});

export type PayloadResult<T> =
  | { readonly ok: true; readonly facts: T }
  | { readonly ok: false; readonly outcome: string; readonly problem: string };

function malformed(error: z.ZodError): { ok: false; outcome: string; problem: string } {
  const issue = error.issues[0];
  const path = issue?.path.join(".") || "(payload)";
  return {
    ok: false,
    outcome: `ignored:malformed_payload:${path.slice(0, 80)}`,
    problem: `${path}: ${issue?.message ?? "invalid"}`.slice(0, 300),
  };
}

/** `issue_comment.created` → what the command handler reads. */
export function commentFacts(payload: unknown): PayloadResult<CommentFacts> {
  const parsed = IssueCommentCreated.safeParse(payload);
  if (!parsed.success) return malformed(parsed.error);
  const p = parsed.data;
  return {
    ok: true,
    facts: {
      owner: p.repository.owner.login,
      repo: p.repository.name,
      issueNumber: p.issue.number,
      commentId: p.comment.id,
      body: p.comment.body ?? "",
      login: p.comment.user?.login ?? p.sender.login,
      isBot: p.comment.user?.type === "Bot" || p.sender.type === "Bot",
    },
  };
}

/** An `issues` event → what the issue handler reads. */
export function issueFacts(payload: unknown): PayloadResult<IssueFacts> {
  const parsed = IssuesEvent.safeParse(payload);
  if (!parsed.success) return malformed(parsed.error);
  const p = parsed.data;
  return {
    ok: true,
    facts: {
      action: p.action,
      owner: p.repository.owner.login,
      repo: p.repository.name,
      number: p.issue.number,
      title: p.issue.title,
      body: p.issue.body ?? "",
      sender: p.sender.login,
      senderIsBot: p.sender.type === "Bot",
      label: p.label?.name ?? null,
      labels: (p.issue.labels ?? []).flatMap((l) => (typeof l === "string" ? [l] : l ? [l.name] : [])),
    },
  };
}

/**
 * U+0000 in any string of the payload (values and keys) becomes U+FFFD, in place: PostgreSQL's
 * text and jsonb cannot hold it, so a title, comment or field carrying one would fail every write
 * (and GitHub's redelivery of it, forever). Iterative, so a payload nested 100,000 deep is fine.
 * Returns how many strings were changed.
 */
export function replaceNulCharacters(payload: unknown): number {
  let changed = 0;
  const clean = (text: string) => {
    changed += 1;
    return text.replaceAll("\u0000", "\uFFFD");
  };
  const pending: unknown[] = [payload];
  while (pending.length) {
    const value = pending.pop();
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        if (typeof item === "string") {
          if (item.includes("\u0000")) value[i] = clean(item);
        } else if (item && typeof item === "object") pending.push(item);
      }
    } else if (value && typeof value === "object") {
      const record = value as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        let item = record[key];
        if (typeof item === "string" && item.includes("\u0000")) item = record[key] = clean(item);
        else if (item && typeof item === "object") pending.push(item);
        if (key.includes("\u0000")) {
          delete record[key];
          record[clean(key)] = item;
        }
      }
    }
  }
  return changed;
}
