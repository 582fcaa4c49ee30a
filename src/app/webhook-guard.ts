/**
 * What a webhook request must be before Probot reads it.
 * - Size: `@octokit/webhooks` (under Probot) reads a request body whole into memory before it checks
 *   the signature, with no limit, so anyone who can reach the endpoint could make the app buffer
 *   gigabytes. GitHub caps webhook payloads at 25 MB, so nothing genuine is larger: a bigger
 *   request is answered 413 before it is read (by its Content-Length), or as soon as the count
 *   passes the limit (chunked bodies), and the rest is discarded unread.
 * - Shape: every GitHub payload is a JSON object. A body that is JSON but not an object (`null`,
 *   `[]`, `"x"`, `42`) would fail inside `@octokit/webhooks` with a 500 and no message; it is
 *   answered 400 with the reason instead.
 * - Signature: a signed request whose signature does not match is answered 400 here, logged once
 *   at warn by the caller with its size and headers but never its body (`@octokit/webhooks` logs
 *   the whole payload, twice, at error: one 5 MB forgery made a 10 MB log line). A correctly signed
 *   request with an empty `X-GitHub-Event` is a 400, not a 500.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Probot } from "probot";

/** GitHub's cap on webhook payloads (docs.github.com, "Webhook payloads": "capped at 25 MB"). */
export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;

type NodeMiddleware = Awaited<ReturnType<Probot["getNodeMiddleware"]>>;

type BodyRead = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly bytes: number };

const decoder = new TextDecoder("utf-8", { fatal: false });

/**
 * Puts the limit in front of Probot's webhook middleware. Both ways of serving the app — Probot's
 * own server (`run`) and `createNodeMiddleware` — ask `probot.getNodeMiddleware()` for it after
 * the app is loaded, so wrapping it here covers both. The body read here is handed on as
 * `req.body` (a string), which `@octokit/webhooks` verifies and parses as if it had read it itself.
 * Only POST requests to the webhook path (or to `/` with an `X-GitHub-Event`, where Probot's setup
 * flow points GitHub) are looked at; everything else passes untouched.
 */
export function guardWebhookRequests(
  probot: Probot,
  maxBytes: number,
  onRefused: (
    reason: "too_large" | "not_an_object" | "bad_signature" | "empty_event",
    detail: { bytes: number; limit: number; delivery: string | null; event: string | null },
  ) => void,
): void {
  const original = probot.getNodeMiddleware.bind(probot);
  probot.getNodeMiddleware = async (options) => {
    const middleware: NodeMiddleware = await original(options);
    const webhookPath = trimSlashes(options?.path ?? probot.webhookPath);
    return async (req, res, next) => {
      // Probot's setup flow registers `<the app's URL>/` as the webhook URL (its manifest-creation.ts):
      // a delivery there (it names its event) is one for the webhook path.
      if (
        req.method === "POST" &&
        pathOf(req) === "/" &&
        req.headers["x-github-event"] &&
        webhookPath !== "/"
      )
        req.url = webhookPath;
      if (req.method !== "POST" || pathOf(req) !== webhookPath) return middleware(req, res, next);
      const declared = Number(req.headers["content-length"]);
      const read: BodyRead =
        Number.isFinite(declared) && declared > maxBytes
          ? { ok: false, bytes: declared }
          : await readLimited(req, maxBytes);
      const header = (name: string) => {
        const value = req.headers[name];
        return typeof value === "string" ? value.slice(0, 100) : null;
      };
      const detail = (bytes: number) => ({
        bytes,
        limit: maxBytes,
        delivery: header("x-github-delivery"),
        event: header("x-github-event"),
      });
      if (!read.ok) {
        onRefused("too_large", detail(read.bytes));
        // Whatever is still coming is drained and dropped (never buffered), then the connection closes.
        req.resume();
        refuse(
          res,
          413,
          `payload too large: more than ${maxBytes} bytes (GitHub caps webhook payloads at 25 MB)`,
        );
        return true;
      }
      const signature = req.headers["x-hub-signature-256"];
      if (typeof signature === "string" && signature !== "" && probot.webhooks) {
        const valid = await probot.webhooks.verify(read.text, signature).catch(() => false);
        if (!valid) {
          onRefused("bad_signature", detail(Buffer.byteLength(read.text)));
          refuse(res, 400, "signature does not match event payload and secret");
          return true;
        }
        if (req.headers["x-github-event"] !== undefined && !header("x-github-event")?.trim()) {
          onRefused("empty_event", detail(Buffer.byteLength(read.text)));
          refuse(res, 400, "the X-GitHub-Event header is empty: it must name the event");
          return true;
        }
      }
      if (!looksLikeJsonObject(read.text)) {
        onRefused("not_an_object", detail(Buffer.byteLength(read.text)));
        refuse(res, 400, "a webhook payload must be a JSON object");
        return true;
      }
      (req as IncomingMessage & { body?: string }).body = read.text;
      return middleware(req, res, next);
    };
  };
}

const trimSlashes = (path: string) => path.replace(/\/+$/, "") || "/";

function pathOf(req: IncomingMessage): string | null {
  try {
    return trimSlashes(new URL(req.url ?? "/", "http://localhost").pathname);
  } catch {
    return null;
  }
}

function refuse(res: ServerResponse, status: number, error: string): void {
  res
    .writeHead(status, { "content-type": "application/json", connection: "close" })
    .end(JSON.stringify({ error }));
}

/**
 * A cheap look at the first character: a JSON object starts with `{`. Anything else that is valid
 * JSON is the wrong shape; anything else that is not JSON is left to `@octokit/webhooks`, which
 * answers 400 "Invalid JSON" after checking the signature.
 */
function looksLikeJsonObject(text: string): boolean {
  const first = text.trimStart()[0];
  if (first === "{") return true;
  try {
    JSON.parse(text);
    return false;
  } catch {
    return true;
  }
}

/** Reads the body up to `maxBytes`; past that, stops keeping it and reports how much came. */
function readLimited(req: IncomingMessage, maxBytes: number): Promise<BodyRead> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let settled = false;
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > maxBytes) {
        settled = true;
        chunks.length = 0;
        req.off("data", onData);
        resolve({ ok: false, bytes });
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.once("end", () => {
      if (settled) return;
      settled = true;
      resolve({ ok: true, text: decoder.decode(Buffer.concat(chunks, bytes)) });
    });
    req.once("error", (error) => {
      if (settled) return;
      settled = true;
      reject(error);
    });
  });
}
