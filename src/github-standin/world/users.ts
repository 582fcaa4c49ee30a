import type { AccountType, UserRecord } from "./types.js";
import type { WorldState } from "./world-state.js";

export interface UserInput {
  readonly login: string;
  readonly type?: AccountType;
  readonly name?: string | null;
  readonly email?: string | null;
}

/** Adds an account, or returns the existing one with that login (logins are case-insensitive). */
export function ensureUser(world: WorldState, input: UserInput): UserRecord {
  const existing = world.userByLogin(input.login);
  if (existing) return existing;
  const user: UserRecord = {
    id: world.ids.id(),
    login: input.login,
    type: input.type ?? (input.login.endsWith("[bot]") ? "Bot" : "User"),
    name: input.name ?? null,
    email: input.email ?? null,
    siteAdmin: false,
  };
  world.users.set(user.id, user);
  return user;
}
