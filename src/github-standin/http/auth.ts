import { findApp } from "../world/apps.js";
import type { AppRecord, InstallationRecord, InstallationTokenRecord } from "../world/types.js";
import type { WorldState } from "../world/world-state.js";
import { JWT_MESSAGES, readClaims, verifyAppJwt } from "./jwt.js";

/** Who is calling, as far as the `Authorization` header tells. */
export type Credential =
  | { readonly kind: "anonymous" }
  | { readonly kind: "app"; readonly app: AppRecord }
  | {
      readonly kind: "installation";
      readonly token: InstallationTokenRecord;
      readonly installation: InstallationRecord;
      readonly app: AppRecord;
    }
  | { readonly kind: "invalid"; readonly message: string };

/** The rate-limit and ETag identity of a credential. */
export function identityOf(credential: Credential): string {
  switch (credential.kind) {
    case "app":
      return `app:${credential.app.id}`;
    case "installation":
      return `installation:${credential.installation.id}`;
    default:
      return "anonymous";
  }
}

/**
 * Resolves `Authorization: Bearer|token …`: a JWT (three dot-separated parts) must verify with
 * the public key of the app named in `iss`; anything else must be an unexpired installation token
 * issued by this stand-in.
 */
export function authenticate(world: WorldState, header: string | undefined): Credential {
  if (!header) return { kind: "anonymous" };
  const match = /^(?:bearer|token)\s+(\S+)$/i.exec(header.trim());
  if (!match?.[1]) return { kind: "invalid", message: "Bad credentials" };
  const secret = match[1];
  if (secret.split(".").length === 3) {
    const claims = readClaims(secret);
    if (!claims) return { kind: "invalid", message: JWT_MESSAGES.undecodable };
    const issuer =
      typeof claims.iss === "number"
        ? claims.iss
        : /^\d+$/.test(claims.iss)
          ? Number(claims.iss)
          : claims.iss;
    const app =
      typeof issuer === "number"
        ? findApp(world, issuer)
        : [...world.apps.values()].find((candidate) => candidate.clientId === issuer);
    if (!app?.publicKey) return { kind: "invalid", message: "Integration not found" };
    const check = verifyAppJwt(secret, app.publicKey, world.now());
    return check.ok ? { kind: "app", app } : { kind: "invalid", message: check.message };
  }
  const token = world.tokens.get(secret);
  if (!token || token.expiresAt <= world.now()) return { kind: "invalid", message: "Bad credentials" };
  const installation = world.installations.get(token.installationId);
  const app = installation ? world.apps.get(installation.appId) : undefined;
  if (!installation || !app) return { kind: "invalid", message: "Bad credentials" };
  return { kind: "installation", token, installation, app };
}
