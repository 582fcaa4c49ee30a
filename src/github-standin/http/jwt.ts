import { createPublicKey, verify } from "node:crypto";
import { z } from "zod";

const headerSchema = z.object({ alg: z.literal("RS256") });
const claimsSchema = z.object({
  iat: z.number().int(),
  exp: z.number().int(),
  iss: z.union([z.string(), z.number()]),
});
export type AppJwtClaims = z.infer<typeof claimsSchema>;

/** GitHub's messages, which @octokit/auth-app recognises (it then corrects for clock skew). */
export const JWT_MESSAGES = {
  undecodable: "A JSON web token could not be decoded",
  expired:
    "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires",
  tooLong: "'Expiration time' claim ('exp') is too far in the future",
  issuedInFuture:
    "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued",
  unknownIssuer: "'Issuer' claim ('iss') must be an Integer",
} as const;

export type JwtCheck =
  | { readonly ok: true; readonly claims: AppJwtClaims }
  | { readonly ok: false; readonly message: string };

const decode = (part: string): unknown => JSON.parse(Buffer.from(part, "base64url").toString("utf8"));

/** Reads a JWT's claims without verifying it (to find which app it claims to be). */
export function readClaims(token: string): AppJwtClaims | null {
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  try {
    const claims = claimsSchema.safeParse(decode(parts[1] ?? ""));
    return claims.success ? claims.data : null;
  } catch {
    return null;
  }
}

/**
 * Verifies an app JWT the way GitHub does: RS256 signed by the app's key, `exp` in the future and
 * at most 10 minutes after `iat`, `iat` not in the future (60 s of drift allowed).
 */
export function verifyAppJwt(token: string, publicKeyPem: string, nowMs: number): JwtCheck {
  const parts = token.split(".");
  const [header, payload, signature] = parts;
  if (parts.length !== 3 || !header || !payload || signature === undefined)
    return { ok: false, message: JWT_MESSAGES.undecodable };
  let claims: AppJwtClaims;
  try {
    if (!headerSchema.safeParse(decode(header)).success)
      return { ok: false, message: JWT_MESSAGES.undecodable };
    const parsed = claimsSchema.safeParse(decode(payload));
    if (!parsed.success) return { ok: false, message: JWT_MESSAGES.undecodable };
    claims = parsed.data;
  } catch {
    return { ok: false, message: JWT_MESSAGES.undecodable };
  }
  const signed = verify(
    "RSA-SHA256",
    Buffer.from(`${header}.${payload}`),
    createPublicKey(publicKeyPem),
    Buffer.from(signature, "base64url"),
  );
  if (!signed) return { ok: false, message: JWT_MESSAGES.undecodable };
  const now = Math.floor(nowMs / 1000);
  if (claims.exp <= now) return { ok: false, message: JWT_MESSAGES.expired };
  if (claims.iat > now + 60) return { ok: false, message: JWT_MESSAGES.issuedInFuture };
  if (claims.exp - claims.iat > 600 + 60) return { ok: false, message: JWT_MESSAGES.tooLong };
  return { ok: true, claims };
}
