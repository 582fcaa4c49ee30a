/**
 * Requests a GitHub Actions OIDC token from inside a job, as actions/toolkit's `core.getIDToken`
 * does: GET `ACTIONS_ID_TOKEN_REQUEST_URL` + `&audience=…` with `Authorization: Bearer
 * ACTIONS_ID_TOKEN_REQUEST_TOKEN`, answered by `{ "value": "<jwt>" }`. The environment is passed
 * in (only entry points read `process.env`); neither the request token nor the JWT is ever put in
 * an error message.
 */
import { z } from "zod";
import { errorMessage } from "../domain/error-message.js";

export interface ActionsIdTokenRequest {
  /** Who the token is for: the app's URL (the `aud` claim). */
  readonly audience: string;
  /** The job's environment (`process.env` at the entry point). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly fetch?: typeof fetch;
}

export class ActionsIdTokenError extends Error {
  override readonly name = "ActionsIdTokenError";
}

const TokenAnswer = z.object({ value: z.string().min(1) });

export async function requestActionsIdToken(request: ActionsIdTokenRequest): Promise<string> {
  const base = request.env.ACTIONS_ID_TOKEN_REQUEST_URL;
  const bearer = request.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
  if (!base || !bearer) {
    throw new ActionsIdTokenError(
      "this job cannot request an OIDC token: give it `permissions: id-token: write` (ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set)",
    );
  }
  const url = `${base}&audience=${encodeURIComponent(request.audience)}`;
  const where = new URL(base).origin;
  let response: Response;
  try {
    response = await (request.fetch ?? fetch)(url, {
      headers: { authorization: `Bearer ${bearer}`, accept: "application/json" },
    });
  } catch (error) {
    throw new ActionsIdTokenError(
      `could not reach the OIDC token service at ${where}: ${errorMessage(error)}`,
      {
        cause: error,
      },
    );
  }
  const text = await response.text();
  if (!response.ok) {
    throw new ActionsIdTokenError(
      `the OIDC token service at ${where} refused the request: HTTP ${response.status}: ${messageOf(text)}`,
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const parsed = TokenAnswer.safeParse(body);
  if (!parsed.success)
    throw new ActionsIdTokenError(`the OIDC token service at ${where} answered without a token (no "value")`);
  return parsed.data.value;
}

/** GitHub's `{ message }`, or a short excerpt of whatever came back. */
function messageOf(text: string): string {
  try {
    const message = (JSON.parse(text) as { message?: unknown }).message;
    if (typeof message === "string") return message;
  } catch {
    // not JSON: fall through to the excerpt
  }
  return text.slice(0, 200) || "(empty body)";
}
