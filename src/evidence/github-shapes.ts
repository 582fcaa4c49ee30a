import { z } from "zod";

/** The parts of GitHub's answers the verifier reads (validated at the boundary; extra keys ignored). */

export const RepositoryShape = z.object({ default_branch: z.string().min(1), html_url: z.string() });

export const ContentShape = z.object({
  type: z.string(),
  content: z.string().optional(),
  encoding: z.string().optional(),
  html_url: z.string().nullable().optional(),
});

export const CommitShape = z.object({ sha: z.string(), html_url: z.string() });

export const CompareShape = z.object({
  status: z.string(),
  ahead_by: z.number().int(),
  html_url: z.string(),
});

export const PullsShape = z.array(
  z.object({
    number: z.number().int(),
    head: z.object({ sha: z.string() }),
    merged_at: z.string().nullable(),
    html_url: z.string(),
  }),
);

export const CheckRunsShape = z.object({
  total_count: z.number().int(),
  check_runs: z.array(
    z.object({
      id: z.number().int(),
      name: z.string(),
      head_sha: z.string(),
      status: z.string(),
      conclusion: z.string().nullable(),
      html_url: z.string().nullable().optional(),
      details_url: z.string().nullable().optional(),
      app: z.object({ id: z.number().int(), slug: z.string().optional() }).nullable().optional(),
    }),
  ),
});

export const CombinedStatusShape = z.object({
  statuses: z.array(z.object({ context: z.string(), state: z.string(), target_url: z.string().nullable() })),
});

export const DeploymentsShape = z.array(
  z.object({ id: z.number().int(), sha: z.string(), environment: z.string(), url: z.string() }),
);

export const DeploymentStatusesShape = z.array(
  z.object({
    state: z.string(),
    log_url: z.string().optional(),
    target_url: z.string().optional(),
    environment_url: z.string().optional(),
  }),
);

export const CheckRunShape = z.object({
  id: z.number().int(),
  app: z.object({ id: z.number().int() }).nullable().optional(),
});
