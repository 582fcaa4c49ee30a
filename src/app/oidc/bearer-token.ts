import type { IncomingMessage } from "node:http";

/** The token of an `Authorization: Bearer <token>` header, or undefined (absent, another scheme, empty). */
export function bearerToken(req: Pick<IncomingMessage, "headers">): string | undefined {
  const header = req.headers.authorization;
  const match = header === undefined ? null : /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return match?.[1];
}
