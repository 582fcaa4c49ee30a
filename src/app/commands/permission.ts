import type { Command, CommandName } from "./parse.js";

/** Repository permission levels, weakest first (GitHub's collaborator permission and role names). */
export const PERMISSION_LEVELS = ["none", "read", "triage", "write", "maintain", "admin"] as const;
export type PermissionLevel = (typeof PERMISSION_LEVELS)[number];

/** What each command needs: reading commands need read, maintenance needs maintain, the rest write. */
export const REQUIRED_PERMISSION: Record<CommandName, PermissionLevel> = {
  status: "read",
  help: "read",
  claim: "write",
  release: "write",
  answer: "write",
  done: "write",
  approve: "write",
  reject: "write",
  cancel: "write",
  priority: "write",
  retry: "write",
  maintenance: "maintain",
};

/** The level a parsed command needs: an evidence override needs maintain, more than a plain approve. */
export function requiredPermissionOf(command: Command): PermissionLevel {
  if (command.name === "approve" && command.override !== undefined) return "maintain";
  return REQUIRED_PERMISSION[command.name];
}

/** The control repository's default name (`app.control_repository_name`). */
export const DEFAULT_CONTROL_REPOSITORY_NAME = "mission-control";

/**
 * The repository whose permission a command needs: `/mc maintenance` changes a setting of the
 * whole owner, so it needs maintain on the owner's control repository (`<owner>/<control name>`);
 * every other command acts on a ticket of the repository it is written in, and needs it there.
 */
export function governingRepositoryOf(
  command: Command,
  repository: string,
  controlRepositoryName: string,
): string {
  if (command.name !== "maintenance") return repository;
  const [owner = ""] = repository.split("/");
  return `${owner}/${controlRepositoryName}`;
}

/**
 * Whether a refusal is answered: only to someone with write on the repository the comment is in.
 * Anyone else (an outsider on a public repository, a reader) is refused without a reaction or a
 * reply, so their `/mc` costs one (cached) GitHub request and cannot make the app write.
 */
export function answersRefusals(level: PermissionLevel): boolean {
  return PERMISSION_LEVELS.indexOf(level) >= PERMISSION_LEVELS.indexOf("write");
}

export type PermissionCheck =
  | { readonly status: "allowed"; readonly level: PermissionLevel }
  | { readonly status: "refused"; readonly level: PermissionLevel; readonly message: string };

/**
 * The commenter's level from GitHub's "get repository permissions for a user" answer: `role_name`
 * is finer (maintain, triage) than `permission` (admin, write, read, none), so it wins when known.
 */
export function permissionLevelOf(answer: { permission?: string; role_name?: string }): PermissionLevel {
  const known = (value: string | undefined): value is PermissionLevel =>
    value !== undefined && (PERMISSION_LEVELS as readonly string[]).includes(value);
  if (known(answer.role_name)) return answer.role_name;
  if (known(answer.permission)) return answer.permission;
  return "none";
}

/** Whether `level` may run `command`; a refusal says which level is needed. */
export function checkPermission(
  command: CommandName,
  login: string,
  level: PermissionLevel,
  required: PermissionLevel = REQUIRED_PERMISSION[command],
): PermissionCheck {
  if (PERMISSION_LEVELS.indexOf(level) >= PERMISSION_LEVELS.indexOf(required))
    return { status: "allowed", level };
  return {
    status: "refused",
    level,
    message: `@${login} has ${level} permission on this repository; /mc ${command}${required !== REQUIRED_PERMISSION[command] ? " override" : ""} needs ${required} or higher`,
  };
}
