/**
 * The runner's local signal channel: an HTTP server on 127.0.0.1 (random port) that only answers
 * requests carrying a random token. The agent's `mctl signal …` finds it through MCTL_SIGNAL_URL
 * and MCTL_SIGNAL_TOKEN, so signals reach the runner that owns the attempt (which applies them
 * through the lifecycle and stops the agent) while the runner does not hold the database open.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { errorMessage } from "../domain/error-message.js";
import { type Signal, type SignalResult, SignalResultSchema, SignalSchema } from "./signals.js";

export const SIGNAL_PATH = "/v1/signal";
const MAX_BODY_BYTES = 64 * 1024;

export interface SignalChannel {
  readonly url: string;
  readonly token: string;
  close(): Promise<void>;
}

/** Opens the channel; `handle` is called once per valid signal for `attemptId`. */
export async function openSignalChannel(options: {
  attemptId: string;
  handle: (signal: Signal) => Promise<SignalResult>;
}): Promise<SignalChannel> {
  const token = randomBytes(24).toString("hex");
  const server = createServer((request, response) => {
    serve(request, response, token, options).catch((error: unknown) => {
      reply(response, 500, { ok: false, code: "internal", message: `the runner failed: ${String(error)}` });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${SIGNAL_PATH}`,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function serve(
  request: IncomingMessage,
  response: ServerResponse,
  token: string,
  options: { attemptId: string; handle: (signal: Signal) => Promise<SignalResult> },
): Promise<void> {
  if (request.method !== "POST" || request.url !== SIGNAL_PATH) {
    return reply(response, 404, { ok: false, code: "not_found", message: `POST ${SIGNAL_PATH} only` });
  }
  if (!tokenMatches(request.headers.authorization, token)) {
    return reply(response, 401, {
      ok: false,
      code: "unauthorized",
      message: "missing or wrong signal token",
    });
  }
  const body = await readBody(request);
  if (body === null) {
    return reply(response, 413, { ok: false, code: "invalid_input", message: "signal body too large" });
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return reply(response, 400, { ok: false, code: "invalid_input", message: "signal body is not JSON" });
  }
  const parsed = SignalSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) =>
      i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message,
    );
    return reply(response, 400, {
      ok: false,
      code: "invalid_input",
      message: `invalid signal: ${issues.join("; ")}`,
    });
  }
  if (parsed.data.attemptId !== options.attemptId) {
    return reply(response, 409, {
      ok: false,
      code: "fenced",
      message: `this runner serves attempt ${options.attemptId}, not ${parsed.data.attemptId}`,
    });
  }
  const result = await options.handle(parsed.data);
  reply(response, result.ok ? 200 : result.code === "not_found" ? 404 : 409, result);
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const presented = Buffer.from(header?.replace(/^Bearer\s+/i, "") ?? "");
  const expected = Buffer.from(token);
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

async function readBody(request: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function reply(response: ServerResponse, status: number, body: SignalResult): void {
  if (response.headersSent) return;
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify(body));
}

export class SignalChannelError extends Error {
  override readonly name = "SignalChannelError";
}

/** Sends a signal to the runner's channel and returns its (validated) answer. */
export async function sendSignal(options: {
  url: string;
  token: string;
  signal: Signal;
  timeoutMs: number;
}): Promise<SignalResult> {
  let response: Response;
  try {
    response = await fetch(options.url, {
      method: "POST",
      headers: { authorization: `Bearer ${options.token}`, "content-type": "application/json" },
      body: JSON.stringify(options.signal),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    throw new SignalChannelError(
      `the worker runner at ${options.url} did not answer (${errorMessage(error)}); is it still running?`,
      { cause: error },
    );
  }
  const parsed = SignalResultSchema.safeParse(await response.json().catch(() => null));
  if (!parsed.success) {
    throw new SignalChannelError(
      `the worker runner at ${options.url} answered ${response.status} with an unexpected body`,
    );
  }
  return parsed.data;
}
