import { randomBytes } from "node:crypto";
import type { Actor } from "./actor.js";
import { invalid, notFound, ok, type Result } from "./results.js";
import type {
  AppPermissionLevel,
  AppPermissions,
  AppRecord,
  InstallationRecord,
  InstallationTokenRecord,
  RepositoryRecord,
  UserRecord,
} from "./types.js";
import { ensureUser } from "./users.js";
import type { WorldState } from "./world-state.js";

/** What Mission Control's app asks for; other apps get the same unless told otherwise. */
export const DEFAULT_APP_PERMISSIONS: AppPermissions = {
  actions: "write",
  checks: "write",
  contents: "read",
  deployments: "write",
  issues: "write",
  metadata: "read",
  pull_requests: "read",
  statuses: "read",
};

export const DEFAULT_APP_EVENTS = [
  "check_run",
  "check_suite",
  "deployment",
  "deployment_status",
  "issue_comment",
  "issues",
  "label",
  "pull_request",
  "push",
  "status",
  "workflow_job",
  "workflow_run",
] as const;

export interface AppInput {
  readonly slug: string;
  readonly name?: string;
  readonly owner?: string;
  readonly id?: number;
  readonly publicKey?: string | null;
  readonly permissions?: AppPermissions;
  readonly events?: readonly string[];
}

/** Registers an app and its bot account (`<slug>[bot]`). */
export function createApp(world: WorldState, input: AppInput): AppRecord {
  const owner = ensureUser(world, { login: input.owner ?? "octo-org", type: "Organization" });
  const id = input.id ?? world.ids.id();
  if (world.apps.has(id)) throw new Error(`stand-in world: an app with id ${id} already exists`);
  const app: AppRecord = {
    id,
    slug: input.slug,
    name: input.name ?? input.slug,
    clientId: `Iv1.${id.toString(16).padStart(16, "0")}`,
    ownerId: owner.id,
    description: null,
    createdAt: world.now(),
    permissions: input.permissions ?? DEFAULT_APP_PERMISSIONS,
    events: input.events ?? [...DEFAULT_APP_EVENTS],
    publicKey: input.publicKey ?? null,
  };
  world.apps.set(app.id, app);
  ensureUser(world, { login: `${app.slug}[bot]`, type: "Bot" });
  return app;
}

export function appBot(world: WorldState, app: AppRecord): UserRecord {
  return ensureUser(world, { login: `${app.slug}[bot]`, type: "Bot" });
}

/** The actor for changes an app makes through an installation token. */
export function appActor(world: WorldState, app: AppRecord): Actor {
  return { user: appBot(world, app), viaAppId: app.id };
}

export function findApp(world: WorldState, idOrSlug: number | string): AppRecord | undefined {
  for (const app of world.apps.values()) if (app.id === idOrSlug || app.slug === idOrSlug) return app;
  return undefined;
}

/** Installs an app on an account, for all its repositories or the given ones. */
export function installApp(
  world: WorldState,
  app: AppRecord,
  input: { readonly account: string; readonly repositories?: "all" | readonly RepositoryRecord[] },
): InstallationRecord {
  const account = ensureUser(world, { login: input.account, type: "Organization" });
  const repositories =
    input.repositories === undefined || input.repositories === "all"
      ? "all"
      : new Set(input.repositories.map((r) => r.id));
  const installation: InstallationRecord = {
    id: world.ids.id(),
    appId: app.id,
    accountId: account.id,
    repositories,
    permissions: app.permissions,
    events: app.events,
    createdAt: world.now(),
  };
  world.installations.set(installation.id, installation);
  return installation;
}

export function installationCovers(installation: InstallationRecord, repo: RepositoryRecord): boolean {
  if (repo.ownerId !== installation.accountId) return false;
  return installation.repositories === "all" || installation.repositories.has(repo.id);
}

/** The app's installation that covers a repository, if any. */
export function installationFor(
  world: WorldState,
  appId: number,
  repo: RepositoryRecord,
): InstallationRecord | undefined {
  for (const installation of world.installations.values()) {
    if (installation.appId === appId && installationCovers(installation, repo)) return installation;
  }
  return undefined;
}

/** Installations of any app that cover a repository (they all receive its webhooks). */
export function installationsCovering(world: WorldState, repo: RepositoryRecord): InstallationRecord[] {
  return [...world.installations.values()].filter((installation) => installationCovers(installation, repo));
}

const LEVELS: Record<AppPermissionLevel, number> = { read: 1, write: 2, admin: 3 };

export function permits(granted: AppPermissions, name: string, level: AppPermissionLevel): boolean {
  const have = granted[name];
  return have !== undefined && LEVELS[have] >= LEVELS[level];
}

export const TOKEN_LIFETIME_MS = 60 * 60 * 1000;

/**
 * Issues an installation access token (`ghs_…`, one hour), optionally narrowed to some
 * repositories and permissions; asking for more than the installation has is refused (422).
 */
export function issueToken(
  world: WorldState,
  installation: InstallationRecord,
  request: {
    readonly repositories?: readonly string[];
    readonly repositoryIds?: readonly number[];
    readonly permissions?: AppPermissions;
  },
): Result<InstallationTokenRecord> {
  let repositoryIds: Set<number> | null = null;
  if (request.repositories !== undefined || request.repositoryIds !== undefined) {
    repositoryIds = new Set();
    const owner = world.requireUser(installation.accountId).login;
    for (const name of request.repositories ?? []) {
      const repo = world.repositoryByName(owner, name);
      if (!repo || !installationCovers(installation, repo))
        return invalid(
          "Installation",
          "repositories",
          "invalid",
          `There is at least one repository that does not exist or is not accessible to the parent installation.`,
        );
      repositoryIds.add(repo.id);
    }
    for (const id of request.repositoryIds ?? []) {
      const repo = world.repositories.get(id);
      if (!repo || !installationCovers(installation, repo))
        return invalid(
          "Installation",
          "repository_ids",
          "invalid",
          `There is at least one repository that does not exist or is not accessible to the parent installation.`,
        );
      repositoryIds.add(id);
    }
  }
  const permissions = request.permissions ?? installation.permissions;
  for (const [name, level] of Object.entries(permissions)) {
    if (!permits(installation.permissions, name, level)) {
      return invalid(
        "Installation",
        "permissions",
        "invalid",
        `The permissions requested are not granted to this installation.`,
      );
    }
  }
  const token: InstallationTokenRecord = {
    token: `ghs_${randomBytes(18).toString("base64url").replace(/[-_]/g, "x")}`,
    installationId: installation.id,
    expiresAt: world.now() + TOKEN_LIFETIME_MS,
    permissions,
    repositoryIds,
  };
  world.tokens.set(token.token, token);
  return ok(token);
}

export function findInstallation(world: WorldState, id: number): Result<InstallationRecord> {
  const installation = world.installations.get(id);
  return installation ? ok(installation) : notFound("Installation");
}
