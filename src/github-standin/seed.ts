import { z } from "zod";
import type { Arrange } from "./arrange/arrange.js";
import { createLabel } from "./world/labels.js";
import { PERMISSIONS } from "./world/types.js";

/**
 * A world described in JSON, for `mctl dev github-standin --seed-file world.json` and the local
 * demo. Everything is optional except repository owners and names.
 */
export const seedSchema = z
  .object({
    users: z
      .array(
        z
          .object({ login: z.string().min(1), name: z.string().optional(), email: z.string().optional() })
          .strict(),
      )
      .default([]),
    repositories: z
      .array(
        z
          .object({
            owner: z.string().min(1),
            name: z.string().min(1),
            defaultBranch: z.string().min(1).default("main"),
            private: z.boolean().default(true),
            description: z.string().nullable().default(null),
            files: z.record(z.string(), z.string()).default({}),
            collaborators: z.record(z.string(), z.enum(PERMISSIONS)).default({}),
            branches: z.array(z.string().min(1)).default([]),
            labels: z
              .array(
                z
                  .object({
                    name: z.string().min(1),
                    color: z.string().optional(),
                    description: z.string().optional(),
                  })
                  .strict(),
              )
              .default([]),
            workflows: z
              .array(z.object({ path: z.string().min(1), name: z.string().optional() }).strict())
              .default([]),
            issues: z
              .array(
                z
                  .object({
                    title: z.string().min(1),
                    body: z.string().optional(),
                    labels: z.array(z.string()).default([]),
                    author: z.string().optional(),
                  })
                  .strict(),
              )
              .default([]),
            installApp: z.boolean().default(true),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();
export type Seed = z.infer<typeof seedSchema>;

/** Parses seed JSON; problems come back as one message per line, naming where they are. */
export function parseSeed(json: unknown): { ok: true; seed: Seed } | { ok: false; message: string } {
  const parsed = seedSchema.safeParse(json);
  if (parsed.success) return { ok: true, seed: parsed.data };
  const lines = parsed.error.issues.map(
    (issue) => `${issue.path.join(".") || "(top level)"}: ${issue.message}`,
  );
  return { ok: false, message: lines.join("\n") };
}

/** Builds the seeded world through the arrange API. */
export function applySeed(world: Arrange, seed: Seed): void {
  for (const user of seed.users) {
    world.user(user.login, {
      ...(user.name ? { name: user.name } : {}),
      ...(user.email ? { email: user.email } : {}),
    });
  }
  for (const input of seed.repositories) {
    const repo = world.repository(input);
    for (const branch of input.branches) world.branch(repo, branch);
    for (const workflow of input.workflows)
      world.workflow(repo, { path: workflow.path, ...(workflow.name ? { name: workflow.name } : {}) });
    for (const label of input.labels) {
      const created = createLabel(
        world.state,
        repo,
        {
          name: label.name,
          ...(label.color ? { color: label.color } : {}),
          description: label.description ?? null,
        },
        null,
      );
      if (!created.ok)
        throw new Error(`seed: label ${label.name} in ${input.owner}/${input.name}: ${created.reason}`);
    }
    for (const issue of input.issues) {
      world.issue(repo, {
        title: issue.title,
        labels: issue.labels,
        ...(issue.body ? { body: issue.body } : {}),
        ...(issue.author ? { author: issue.author } : {}),
      });
    }
  }
}
