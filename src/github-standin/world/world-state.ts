import type { Clock } from "./clock.js";
import type { WorldEvent, WorldListener } from "./events.js";
import { IdSource } from "./ids.js";
import type {
  AppRecord,
  InstallationRecord,
  InstallationTokenRecord,
  RepositoryRecord,
  UserRecord,
  WorkflowJobRecord,
} from "./types.js";

/**
 * Everything the stand-in knows, in memory. It has no HTTP in it: the world functions (users.ts,
 * repositories.ts, issues.ts …) read and change it, and every change is announced to listeners.
 */
export class WorldState {
  readonly ids = new IdSource();
  readonly users = new Map<number, UserRecord>();
  readonly repositories = new Map<number, RepositoryRecord>();
  readonly apps = new Map<number, AppRecord>();
  readonly installations = new Map<number, InstallationRecord>();
  readonly tokens = new Map<string, InstallationTokenRecord>();
  /** Jobs of workflow runs, by id (runs live on their repository). */
  readonly workflowJobs = new Map<number, WorkflowJobRecord>();
  readonly #listeners = new Set<WorldListener>();

  constructor(readonly clock: Clock) {}

  now(): number {
    return this.clock.now();
  }

  /** Registers a listener for world events; returns the function that removes it. */
  subscribe(listener: WorldListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(event: WorldEvent): void {
    for (const listener of this.#listeners) listener(event);
  }

  userByLogin(login: string): UserRecord | undefined {
    const wanted = login.toLowerCase();
    for (const user of this.users.values()) if (user.login.toLowerCase() === wanted) return user;
    return undefined;
  }

  requireUser(id: number): UserRecord {
    const user = this.users.get(id);
    if (!user) throw new Error(`stand-in world: no user with id ${id}`);
    return user;
  }

  repositoryByName(owner: string, name: string): RepositoryRecord | undefined {
    const ownerUser = this.userByLogin(owner);
    if (!ownerUser) return undefined;
    const wanted = name.toLowerCase();
    for (const repo of this.repositories.values()) {
      if (repo.ownerId === ownerUser.id && repo.name.toLowerCase() === wanted) return repo;
    }
    return undefined;
  }

  requireRepository(id: number): RepositoryRecord {
    const repo = this.repositories.get(id);
    if (!repo) throw new Error(`stand-in world: no repository with id ${id}`);
    return repo;
  }

  fullName(repo: RepositoryRecord): string {
    return `${this.requireUser(repo.ownerId).login}/${repo.name}`;
  }
}
