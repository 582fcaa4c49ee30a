/**
 * Verifies GitHub Actions OIDC tokens with `jose`: the issuer's discovery document (fetched once),
 * its JWKS (jose caches the keys and fetches them again when a token names an unknown `kid`, at most
 * once per cooldown: that is how a key rotation is picked up without a restart), RS256 only, the
 * configured issuer and audience, and the token's times against an injectable clock.
 */
import {
  createRemoteJWKSet,
  customFetch,
  decodeProtectedHeader,
  errors,
  type JWTVerifyGetKey,
  jwtVerify,
} from "jose";
import { z } from "zod";
import { errorMessage } from "../../domain/error-message.js";
import { ActionsClaimsSchema, type ActionsTokenVerifier, type VerifiedToken } from "./claims.js";

export interface ActionsTokenVerifierOptions {
  /** e.g. `https://token.actions.githubusercontent.com` (no trailing slash, as tokens carry it). */
  readonly issuer: string;
  /** The audience the job asked for: the app's URL. */
  readonly audience: string;
  readonly now?: () => Date;
  readonly fetch?: typeof fetch;
  /** Seconds of clock difference tolerated on `exp`/`nbf`/`iat` (default 30). */
  readonly clockToleranceSeconds?: number;
  /** Minimum time between two JWKS fetches caused by unknown `kid`s (default 30 s, jose's). */
  readonly jwksCooldownMs?: number;
}

const DiscoverySchema = z.object({ issuer: z.string(), jwks_uri: z.url() });

/** A refusal the verifier reached: 401 (the caller has no valid token of ours). */
function refuse(reason: string, message: string): VerifiedToken {
  return { ok: false, status: 401, reason, message };
}

/** 503: the token may be fine, but the issuer's keys cannot be read now; the caller should retry. */
function unreachable(detail: string): VerifiedToken {
  return {
    ok: false,
    status: 503,
    reason: "issuer_unreachable",
    message: `The token cannot be checked now: the OIDC issuer's keys could not be read (${detail}); try again.`,
  };
}

class IssuerUnreachable extends Error {}

export function createActionsTokenVerifier(options: ActionsTokenVerifierOptions): ActionsTokenVerifier {
  const issuer = options.issuer.replace(/\/+$/, "");
  const fetchImpl = options.fetch ?? fetch;
  const now = options.now ?? (() => new Date());
  let keys: Promise<JWTVerifyGetKey> | null = null;

  async function discover(): Promise<JWTVerifyGetKey> {
    const url = `${issuer}/.well-known/openid-configuration`;
    let body: unknown;
    try {
      // As long as jose waits for the JWKS: a hanging issuer must not hold the request forever.
      const response = await fetchImpl(url, {
        headers: { accept: "application/json" },
        signal: AbortSignal.timeout(5_000),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      body = await response.json();
    } catch (error) {
      throw new IssuerUnreachable(`could not read ${url}: ${errorMessage(error)}`, { cause: error });
    }
    const parsed = DiscoverySchema.safeParse(body);
    if (!parsed.success) throw new IssuerUnreachable(`${url} is not an OpenID discovery document`);
    if (parsed.data.issuer !== issuer)
      throw new IssuerUnreachable(`${url} names issuer ${parsed.data.issuer}, not the configured ${issuer}`);
    return createRemoteJWKSet(new URL(parsed.data.jwks_uri), {
      [customFetch]: fetchImpl,
      ...(options.jwksCooldownMs !== undefined ? { cooldownDuration: options.jwksCooldownMs } : {}),
    });
  }

  function keySet(): Promise<JWTVerifyGetKey> {
    if (!keys) {
      keys = discover();
      // A failed discovery is tried again on the next token, not cached.
      keys.catch(() => {
        keys = null;
      });
    }
    return keys;
  }

  return {
    async verify(token) {
      if (token === undefined || token.trim() === "") {
        return refuse("token_missing", "Send the job's OIDC token as `Authorization: Bearer <token>`.");
      }
      try {
        decodeProtectedHeader(token);
      } catch {
        return refuse(
          "token_malformed",
          "The bearer token is not a JWT; send the job's OIDC token as it is.",
        );
      }
      let getKey: JWTVerifyGetKey;
      try {
        getKey = await keySet();
      } catch (error) {
        return unreachable(errorMessage(error));
      }
      try {
        const { payload } = await jwtVerify(token, getKey, {
          issuer,
          audience: options.audience,
          algorithms: ["RS256"],
          currentDate: now(),
          clockTolerance: options.clockToleranceSeconds ?? 30,
        });
        const claims = ActionsClaimsSchema.safeParse(payload);
        if (!claims.success) {
          const fields = [...new Set(claims.error.issues.map((issue) => issue.path.join(".")))].join(", ");
          return refuse(
            "claims_invalid",
            `The token lacks GitHub Actions claims or has them wrong (${fields}).`,
          );
        }
        return { ok: true, claims: claims.data };
      } catch (error) {
        return refusalFor(error, issuer, options.audience);
      }
    },
  };
}

function refusalFor(error: unknown, issuer: string, audience: string): VerifiedToken {
  if (error instanceof errors.JWTExpired)
    return refuse("expired", "The token has expired; request a new one.");
  if (error instanceof errors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case "iss":
        return refuse("wrong_issuer", `The token was not issued by ${issuer}.`);
      case "aud":
        return refuse(
          "wrong_audience",
          `The token's audience is not ${audience}; request it with that audience.`,
        );
      case "nbf":
      case "iat":
        return refuse("not_yet_valid", "The token is not valid yet; check the clocks.");
      default:
        return refuse("claims_invalid", `The token's ${error.claim} claim is invalid.`);
    }
  }
  if (
    error instanceof errors.JWSSignatureVerificationFailed ||
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWKSMultipleMatchingKeys ||
    error instanceof errors.JOSEAlgNotAllowed ||
    error instanceof errors.JOSENotSupported
  ) {
    return refuse("bad_signature", `The token is not signed by a key of ${issuer}.`);
  }
  if (error instanceof errors.JWTInvalid || error instanceof errors.JWSInvalid) {
    return refuse("token_malformed", "The bearer token is not a well-formed JWT.");
  }
  // What is left is reading the JWKS: a timeout, a network error from fetch, a non-200 answer or
  // a document that is not a JWKS.
  return unreachable(errorMessage(error));
}
