import { randomUUID } from "node:crypto";
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import type { Clock } from "../world/clock.js";

/** One signing key of the issuer: its `kid`, the private half for signing, the public JWK it publishes. */
interface SigningKey {
  readonly kid: string;
  readonly privateKey: Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];
  readonly publicJwk: JWK;
}

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;

/**
 * The pair every issuer of this process starts with. An RSA key costs tens to hundreds of
 * milliseconds of CPU to make, and a test run starts a stand-in per suite; each issuer still has
 * its own `kid` and URL (a token names both), and `rotateKey()` always makes a new pair.
 */
let firstPair: Promise<KeyPair> | undefined;

async function newKey(
  pair: Promise<KeyPair> = generateKeyPair("RS256", { extractable: true }),
): Promise<SigningKey> {
  const { privateKey, publicKey } = await pair;
  const kid = randomUUID();
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
  return { kid, privateKey, publicJwk };
}

/**
 * The stand-in's GitHub Actions OIDC issuer (like `https://token.actions.githubusercontent.com`):
 * RS256 keys with a `kid`, a discovery document and a JWKS. `rotateKey()` puts a new key first and
 * keeps the previous one published, as providers do while tokens signed with it are still alive.
 */
export class OidcIssuer {
  #keys: SigningKey[];

  private constructor(
    readonly issuer: () => string,
    readonly clock: Clock,
    first: SigningKey,
  ) {
    this.#keys = [first];
  }

  static async create(issuer: () => string, clock: Clock): Promise<OidcIssuer> {
    firstPair ??= generateKeyPair("RS256", { extractable: true });
    return new OidcIssuer(issuer, clock, await newKey(firstPair));
  }

  /** The `kid` tokens are signed with now. */
  get currentKid(): string {
    return this.#current().kid;
  }

  /** Makes a new current key; the previous one stays in the JWKS unless `dropPrevious`. */
  async rotateKey(options: { readonly dropPrevious?: boolean } = {}): Promise<string> {
    const key = await newKey();
    const previous = options.dropPrevious ? [] : this.#keys.slice(0, 1);
    this.#keys = [key, ...previous];
    return key.kid;
  }

  /** `/.well-known/openid-configuration`, shaped like GitHub's. */
  discovery(): Record<string, unknown> {
    const issuer = this.issuer();
    return {
      issuer,
      jwks_uri: `${issuer}/.well-known/jwks`,
      subject_types_supported: ["public", "pairwise"],
      response_types_supported: ["id_token"],
      claims_supported: ["sub", "aud", "exp", "iat", "iss", "jti", "nbf", "ref", "repository", "run_id"],
      id_token_signing_alg_values_supported: ["RS256"],
      scopes_supported: ["openid"],
    };
  }

  /** `/.well-known/jwks`: the current key first. */
  jwks(): { keys: JWK[] } {
    return { keys: this.#keys.map((key) => key.publicJwk) };
  }

  /**
   * Signs claims as a token of this issuer: `iss`, `iat`, `nbf`, `exp` (5 minutes, as GitHub) and
   * `jti` are set here from the stand-in's clock, so tests can move time.
   */
  async sign(
    claims: Record<string, unknown>,
    audience: string,
    options: { readonly issuer?: string } = {},
  ): Promise<string> {
    const key = this.#current();
    const iat = Math.floor(this.clock.now() / 1000);
    return new SignJWT({ ...claims, nbf: iat })
      .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: key.kid })
      .setIssuer(options.issuer ?? this.issuer())
      .setAudience(audience)
      .setIssuedAt(iat)
      .setExpirationTime(iat + 300)
      .setJti(randomUUID())
      .sign(key.privateKey);
  }

  #current(): SigningKey {
    const key = this.#keys[0];
    if (!key) throw new Error("the stand-in OIDC issuer has no key");
    return key;
  }
}
