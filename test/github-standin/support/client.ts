import { createSign } from "node:crypto";

export interface RawResponse {
  readonly status: number;
  readonly headers: Headers;
  /** Parsed JSON, or undefined when the response had no body. */
  readonly body: unknown;
}

/** A bare HTTP call (no Octokit), so tests see exactly what the stand-in answers. */
export async function call(
  baseUrl: string,
  method: string,
  path: string,
  options: {
    readonly token?: string;
    readonly body?: unknown;
    readonly headers?: Record<string, string>;
  } = {},
): Promise<RawResponse> {
  const headers: Record<string, string> = { accept: "application/vnd.github+json", ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    ...(options.body !== undefined
      ? { body: typeof options.body === "string" ? options.body : JSON.stringify(options.body) }
      : {}),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text === "" ? undefined : (JSON.parse(text) as unknown),
  };
}

/** An RS256 app JWT as @octokit/auth-app makes it (iat 30 s in the past, 10 minutes' validity). */
export function appJwt(
  privateKey: string,
  appId: number | string,
  nowSeconds = Math.floor(Date.now() / 1000),
): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const unsigned = `${encode({ alg: "RS256", typ: "JWT" })}.${encode({ iat: nowSeconds - 30, exp: nowSeconds + 570, iss: appId })}`;
  const signature = createSign("RSA-SHA256").update(unsigned).sign(privateKey).toString("base64url");
  return `${unsigned}.${signature}`;
}
