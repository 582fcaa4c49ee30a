import { hkdfSync } from "node:crypto";
import { EncryptJWT, jwtDecrypt } from "jose";
import { z } from "zod";

/**
 * Sealed cookies (jose: JWE, `dir` + A256GCM): the sign-in session (login and GitHub user token)
 * and the short-lived sign-in attempt (CSRF `state`, PKCE verifier, where to go back). Encrypted,
 * not only signed, because they carry a GitHub token; expiring by their `exp` claim.
 */
export interface Sealer {
  seal(purpose: string, payload: Record<string, unknown>, ttlSeconds: number): Promise<string>;
  /** The payload, or null when the value is forged, for another purpose, or expired. */
  open(purpose: string, value: string): Promise<Record<string, unknown> | null>;
}

/** A sealer whose key is derived (HKDF-SHA256) from `secret` (MCTL_SESSION_SECRET). */
export function createSealer(secret: string, now: () => Date = () => new Date()): Sealer {
  const key = new Uint8Array(hkdfSync("sha256", secret, "mission-control", "session cookies", 32));
  return {
    async seal(purpose, payload, ttlSeconds) {
      const issuedAt = Math.floor(now().getTime() / 1000);
      return new EncryptJWT(payload)
        .setProtectedHeader({ alg: "dir", enc: "A256GCM" })
        .setAudience(purpose)
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + ttlSeconds)
        .encrypt(key);
    },
    async open(purpose, value) {
      try {
        const { payload } = await jwtDecrypt(value, key, { audience: purpose, currentDate: now() });
        return payload as Record<string, unknown>;
      } catch {
        return null;
      }
    },
  };
}

export const SessionSchema = z.object({ login: z.string().min(1), token: z.string().min(1) });
export type Session = z.infer<typeof SessionSchema>;

export const AttemptSchema = z.object({
  state: z.string().min(16),
  verifier: z.string().min(43),
  returnTo: z.string(),
});
export type SignInAttempt = z.infer<typeof AttemptSchema>;
