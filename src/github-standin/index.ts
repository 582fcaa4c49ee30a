import { createPrivateKey, createPublicKey, generateKeyPairSync } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Arrange } from "./arrange/arrange.js";
import { FaultPlan } from "./http/faults.js";
import { createRequestHandler } from "./http/pipeline.js";
import { RateLimiter, type RateLimitOptions } from "./http/rate-limit.js";
import { GitRemotes } from "./git/remotes.js";
import { handleGitRequest } from "./git/http.js";
import { RequestLog } from "./http/request-log.js";
import { StandinActions } from "./oidc/actions.js";
import { handleOidcRequest, OIDC_ISSUER_PATH } from "./oidc/http.js";
import { ManifestFlow } from "./manifest/flow.js";
import { handleManifestRequest } from "./manifest/http.js";
import { OidcIssuer } from "./oidc/issuer.js";
import { Router } from "./http/router.js";
import type { View } from "./presenters/view.js";
import { buildRoutes } from "./routes/index.js";
import { WebhookSender } from "./webhooks/deliveries.js";
import { forwardWorldEvents } from "./webhooks/dispatch.js";
import { OAuthWebFlow } from "./oauth/web-flow.js";
import { createApp, installationFor, issueToken } from "./world/apps.js";
import { type Clock, systemClock } from "./world/clock.js";
import type { AppPermissions, AppRecord, InstallationTokenRecord } from "./world/types.js";
import { WorldState } from "./world/world-state.js";

export type { AppRef, Arrange, RepoRef } from "./arrange/arrange.js";
export type { CiOnPush, GitRemotes } from "./git/remotes.js";
export type { Fault, FaultRuleInput } from "./http/faults.js";
export type { LoggedRequest, RequestFilter } from "./http/request-log.js";
export type { StandinActions, StartedJob } from "./oidc/actions.js";
export type { OidcIssuer } from "./oidc/issuer.js";
export type { DeliveryRecord } from "./webhooks/deliveries.js";
export type { WebhookEvent } from "./webhooks/payloads.js";
export { signWebhook, verifyWebhookSignature } from "./webhooks/sign.js";
export type { Clock } from "./world/clock.js";
export type * from "./world/types.js";

export interface GitHubStandinOptions {
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  readonly port?: number;
  /** The app under test. Without a key, a fresh RSA key pair is generated (see `app.privateKey`). */
  readonly app?: {
    readonly id?: number;
    readonly slug?: string;
    readonly name?: string;
    readonly owner?: string;
    /** PEM; the stand-in verifies JWTs with its public half. */
    readonly privateKey?: string;
    /** PEM; enough to verify JWTs when the private key stays with the caller. */
    readonly publicKey?: string;
    readonly permissions?: AppPermissions;
    readonly events?: readonly string[];
  };
  /** Where the app's webhooks are delivered (none when absent; they are still recorded as events). */
  readonly webhook?: { readonly url: string; readonly secret?: string; readonly timeoutMs?: number };
  readonly clock?: Clock;
  readonly rateLimit?: RateLimitOptions;
  /** Seed of the fault plan's PRNG (default 1). */
  readonly faultSeed?: number;
  /** Base of `html_url`s (default: the stand-in's own URL). */
  readonly htmlUrl?: string;
}

export interface GitHubStandin {
  /** The REST base URL, e.g. `http://127.0.0.1:43123` (use as Octokit's `baseUrl`). */
  readonly url: string;
  readonly app: {
    readonly id: number;
    readonly slug: string;
    readonly record: AppRecord;
    /** PEM private key for signing JWTs, when the stand-in generated or was given one. */
    readonly privateKey: string | null;
  };
  /** Arrange and inspect the world (no HTTP). */
  readonly world: Arrange;
  readonly requests: RequestLog;
  readonly faults: FaultPlan;
  readonly rateLimit: RateLimiter;
  readonly webhooks: WebhookSender;
  /**
   * The GitHub Actions OIDC issuer: `issuer` is `<url>/_oidc` (discovery and JWKS under
   * `/.well-known/`); `rotateKey()` publishes a new signing key.
   */
  readonly oidc: {
    readonly issuer: string;
    rotateKey(options?: { readonly dropPrevious?: boolean }): Promise<string>;
    /** The key's id new tokens carry. */
    readonly currentKid: string;
    /**
     * A test's forgery: a token signed with the issuer's current key carrying any claims (and `iss`
     * if given), e.g. to prove a verifier refuses a genuine signature over the wrong claims.
     */
    mint(input: {
      readonly claims: Readonly<Record<string, unknown>>;
      readonly audience: string;
      readonly issuer?: string;
    }): Promise<string>;
  };
  /** Jobs of workflow runs: `startJob(run, { idToken: true })` gives a job environment that can request OIDC tokens. */
  readonly actions: StandinActions;
  /**
   * git remotes over smart HTTP (`git.create(repo)`, `git.url(repo)`): pushes show in the world,
   * and `git.ciOnPush({ app, name, conclusion })` plays a CI app for pushes with an app's token.
   */
  readonly git: GitRemotes;
  /**
   * GitHub's app manifest flow (`POST /settings/apps/new`, `POST /app-manifests/{code}/conversions`):
   * the apps registered through it, with their webhook URL and secret.
   */
  readonly manifests: ManifestFlow;
  /** The app's OAuth web flow (src/github-standin/oauth/web-flow.ts): its client credentials, and user tokens. */
  readonly oauth: {
    readonly clientId: string;
    readonly clientSecret: string;
    /** A `ghu_` user-to-server token for `login`, past the web flow. */
    userToken(login: string): string;
  };
  /** Issues an installation token for the app on a repository (a shortcut past the JWT exchange). */
  installationToken(repo: string, permissions?: AppPermissions): string;
  stop(): Promise<void>;
}

function appKeys(options: GitHubStandinOptions["app"]): { privateKey: string | null; publicKey: string } {
  if (options?.privateKey) {
    const publicKey = createPublicKey(createPrivateKey(options.privateKey))
      .export({ type: "spki", format: "pem" })
      .toString();
    return { privateKey: options.privateKey, publicKey };
  }
  if (options?.publicKey) return { privateKey: null, publicKey: options.publicKey };
  defaultAppKeys ??= generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  return { privateKey: defaultAppKeys.privateKey, publicKey: defaultAppKeys.publicKey };
}

/**
 * The app key of every stand-in of this process that is given none: an RSA key costs tens to
 * hundreds of milliseconds of CPU to make, and a test run starts a stand-in per suite. So a JWT
 * made for one such stand-in is also good at another of the same process: pass `app.privateKey`
 * where that matters.
 */
let defaultAppKeys: { privateKey: string; publicKey: string } | undefined;

/**
 * Starts the GitHub stand-in on 127.0.0.1: a stateful REST server with GitHub's status codes,
 * headers, pagination, conditional requests, rate limits and injectable faults, plus outgoing
 * webhooks for the app under test. Stop it with `stop()`.
 */
export async function startGitHubStandin(options: GitHubStandinOptions = {}): Promise<GitHubStandin> {
  const clock = options.clock ?? systemClock;
  const world = new WorldState(clock);
  const keys = appKeys(options.app);
  const app = createApp(world, {
    slug: options.app?.slug ?? "mission-control",
    name: options.app?.name ?? "Mission Control",
    owner: options.app?.owner ?? "mission-control-dev",
    publicKey: keys.publicKey,
    ...(options.app?.id !== undefined ? { id: options.app.id } : {}),
    ...(options.app?.permissions ? { permissions: options.app.permissions } : {}),
    ...(options.app?.events ? { events: options.app.events } : {}),
  });
  const webhooks = new WebhookSender({
    clock,
    appId: app.id,
    hookId: world.ids.id(),
    target: { url: options.webhook?.url ?? null, secret: options.webhook?.secret ?? null },
    ...(options.webhook?.timeoutMs !== undefined ? { timeoutMs: options.webhook.timeoutMs } : {}),
  });
  let view: View | null = null;
  const currentView = () => {
    if (!view) throw new Error("the GitHub stand-in is not listening yet");
    return view;
  };
  world.subscribe(forwardWorldEvents(currentView, app, webhooks));
  const requests = new RequestLog();
  const oauth = new OAuthWebFlow(app, () => world.now());
  const faults = new FaultPlan(options.faultSeed ?? 1);
  const rateLimit = new RateLimiter(clock, options.rateLimit);
  const handler = createRequestHandler({
    view: currentView,
    router: new Router(buildRoutes({ webhooks })),
    rateLimiter: rateLimit,
    faults,
    log: requests,
  });
  let url = "";
  const arrange = new Arrange(world, app);
  const git = new GitRemotes(arrange, () => url);
  const manifests = new ManifestFlow(world);
  const issuer = await OidcIssuer.create(() => `${url}${OIDC_ISSUER_PATH}`, clock);
  const server: Server = createServer((req, res) => {
    void (async () => {
      if (await handleGitRequest(git, req, res)) return;
      // GitHub Enterprise Server serves the REST API under /api/v3 (Probot's GHE_HOST): the same here.
      if (req.url?.startsWith("/api/v3/")) req.url = req.url.slice("/api/v3".length);
      if (await handleOidcRequest({ view: currentView, issuer, faults, log: requests }, req, res)) return;
      if (await handleManifestRequest({ view: currentView, flow: manifests, log: requests }, req, res))
        return;
      if (await oauth.handle(currentView(), req, res)) return;
      await handler(req, res);
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  view = { world, urls: { api: url, html: options.htmlUrl ?? url } };

  return {
    url,
    app: { id: app.id, slug: app.slug, record: app, privateKey: keys.privateKey },
    world: arrange,
    requests,
    faults,
    rateLimit,
    webhooks,
    oidc: {
      issuer: `${url}${OIDC_ISSUER_PATH}`,
      rotateKey: (rotation) => issuer.rotateKey(rotation),
      get currentKid() {
        return issuer.currentKid;
      },
      mint: (input) =>
        issuer.sign({ ...input.claims }, input.audience, input.issuer ? { issuer: input.issuer } : {}),
    },
    actions: new StandinActions(world, currentView),
    git,
    manifests,
    oauth: {
      clientId: oauth.clientId,
      clientSecret: oauth.clientSecret,
      userToken: (login) => oauth.userToken(currentView(), login),
    },
    installationToken(repo, permissions) {
      const installation = installationFor(world, app.id, arrange.repo(repo));
      if (!installation) throw new Error(`the app is not installed on ${repo}`);
      const issued = issueToken(world, installation, permissions ? { permissions } : {});
      if (!issued.ok) throw new Error(`could not issue a token for ${repo}: ${issued.reason}`);
      return (issued.value satisfies InstallationTokenRecord).token;
    },
    async stop() {
      await webhooks.settle();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
      await git.remove();
    },
  };
}

export { applySeed, parseSeed, type Seed, seedSchema } from "./seed.js";
