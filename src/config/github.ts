import { z } from "zod";
import { variableIssueInWords } from "./issue-words.js";

/** GitHub API access for the CLI (the app gets its own from Probot). Read at the composition root. */
export interface GitHubEnvironment {
  readonly token: string | undefined;
  readonly apiUrl: string;
}

const Schema = z.object({
  GITHUB_TOKEN: z.string().trim().min(1).optional(),
  GITHUB_API_URL: z
    .url({ message: "must be a URL such as https://api.github.com" })
    .default("https://api.github.com"),
});

export function readGitHubEnvironment(env: Record<string, string | undefined>): GitHubEnvironment {
  const parsed = Schema.safeParse({
    GITHUB_TOKEN: env.GITHUB_TOKEN || undefined,
    GITHUB_API_URL: env.GITHUB_API_URL || undefined,
  });
  if (!parsed.success) {
    throw new Error(variableIssueInWords(parsed.error, Schema), { cause: parsed.error });
  }
  return { token: parsed.data.GITHUB_TOKEN, apiUrl: parsed.data.GITHUB_API_URL.replace(/\/$/, "") };
}
