import type { ServerResponse } from "node:http";

/** Headers GitHub puts on every REST response. */
export function baseHeaders(requestId: string): Record<string, string> {
  return {
    "x-github-request-id": requestId,
    "x-github-media-type": "github.v3; format=json",
    "x-github-api-version-selected": "2022-11-28",
    vary: "Accept, Authorization, Cookie, X-GitHub-OTP, Accept-Encoding",
    "access-control-expose-headers":
      "ETag, Link, Location, Retry-After, X-GitHub-OTP, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Used, X-RateLimit-Resource, X-RateLimit-Reset, X-OAuth-Scopes, X-Accepted-OAuth-Scopes, X-Poll-Interval, X-GitHub-Media-Type, X-GitHub-SSO, X-GitHub-Request-Id, Deprecation, Sunset",
    "access-control-allow-origin": "*",
    "x-content-type-options": "nosniff",
  };
}

/** Writes a response; `body` undefined means no body (204, 304). */
export function send(
  res: ServerResponse,
  status: number,
  headers: Readonly<Record<string, string>>,
  body?: string,
): void {
  const all: Record<string, string> = { ...headers };
  if (body !== undefined) {
    all["content-type"] = "application/json; charset=utf-8";
    all["content-length"] = String(Buffer.byteLength(body));
  }
  res.writeHead(status, all);
  res.end(body);
}
