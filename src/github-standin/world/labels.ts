import type { Actor } from "./actor.js";
import { invalid, notFound, ok, type Result } from "./results.js";
import type { LabelRecord, RepositoryRecord } from "./types.js";
import type { WorldState } from "./world-state.js";

export interface LabelInput {
  readonly name: string;
  readonly color?: string;
  readonly description?: string | null;
}

export function findLabel(repo: RepositoryRecord, name: string): LabelRecord | undefined {
  const wanted = name.toLowerCase();
  for (const label of repo.labels.values()) if (label.name.toLowerCase() === wanted) return label;
  return undefined;
}

/** Creates a label; names are unique per repository regardless of case (422 already_exists). */
export function createLabel(
  world: WorldState,
  repo: RepositoryRecord,
  input: LabelInput,
  actor: Actor | null,
): Result<LabelRecord> {
  if (findLabel(repo, input.name)) return invalid("Label", "name", "already_exists");
  const color = (input.color ?? "ededed").replace(/^#/, "").toLowerCase();
  if (!/^[0-9a-f]{6}$/.test(color)) return invalid("Label", "color", "invalid");
  const label: LabelRecord = {
    id: world.ids.id(),
    name: input.name,
    color,
    description: input.description ?? null,
    isDefault: false,
  };
  repo.labels.set(label.id, label);
  if (actor)
    world.emit({
      kind: "label",
      action: "created",
      repositoryId: repo.id,
      labelId: label.id,
      senderId: actor.user.id,
    });
  return ok(label);
}

/** Finds labels by name, creating missing ones like GitHub does when labels are added to an issue. */
export function labelsByName(
  world: WorldState,
  repo: RepositoryRecord,
  names: readonly string[],
): LabelRecord[] {
  return names.map((name) => {
    const existing = findLabel(repo, name);
    if (existing) return existing;
    const created = createLabel(world, repo, { name }, null);
    if (!created.ok) throw new Error(`stand-in world: could not create label ${name}`);
    return created.value;
  });
}

export function requireLabel(repo: RepositoryRecord, name: string): Result<LabelRecord> {
  const label = findLabel(repo, name);
  return label ? ok(label) : notFound("Label");
}
