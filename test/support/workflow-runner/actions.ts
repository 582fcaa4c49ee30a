/**
 * Local stand-ins for the `uses:` actions the shipped workflows name; any other action throws.
 *
 * - actions/checkout@v4: clones the repository from the GitHub stand-in's git remote
 *   (`gh.git.url`) into the workspace and checks out the run's commit. `fetch-depth` (0 = all) is
 *   honoured; `persist-credentials` must be `false`: the stand-in's jobs get no `GITHUB_TOKEN`, so
 *   a step that relies on a persisted credential could not be run honestly.
 * - actions/setup-node@v4: no-op (the runner's Node is used); `node-version` must be a supported LTS.
 * - actions/upload-artifact@v4 / actions/download-artifact@v4: a folder per artifact name, shared
 *   by the jobs of one run; downloading a missing artifact fails the step, as on GitHub.
 */
import { execFile } from "node:child_process";
import { cp, mkdir, stat } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";

const exec = promisify(execFile);

export class UnsupportedConstruct extends Error {
  override readonly name = "UnsupportedConstruct";
}

export interface ActionContext {
  readonly with: Readonly<Record<string, string>>;
  readonly workspace: string;
  readonly artifacts: string;
  /** `owner/name`, the git URL to clone it from, and the commit the run is on. */
  readonly repository: { readonly name: string; readonly url: string; readonly sha: string };
  readonly env: Readonly<Record<string, string>>;
}

const SUPPORTED_NODE = new Set(["22", "24", "lts/*"]);

/** Runs one `uses:` step; throws a step failure (Error) or UnsupportedConstruct. */
export async function runAction(uses: string, ctx: ActionContext): Promise<void> {
  const [name, version] = uses.split("@");
  const known = (allowed: readonly string[]) => {
    const extra = Object.keys(ctx.with).filter((key) => !allowed.includes(key));
    if (extra.length)
      throw new UnsupportedConstruct(`${uses}: the local runner does not support with: ${extra.join(", ")}`);
  };
  if (version !== "v4") throw new UnsupportedConstruct(`${uses}: the local runner supports @v4 only`);
  switch (name) {
    case "actions/checkout": {
      known(["fetch-depth", "persist-credentials"]);
      if (ctx.with["persist-credentials"] !== "false")
        throw new UnsupportedConstruct(
          `${uses}: set persist-credentials: false (the local runner has no GITHUB_TOKEN)`,
        );
      const depth = Number(ctx.with["fetch-depth"] ?? "1");
      const git = (cwd: string, ...args: string[]) => exec("git", args, { cwd, env: { ...ctx.env } });
      await mkdir(ctx.workspace, { recursive: true });
      await git(
        ctx.workspace,
        "clone",
        "-q",
        ...(depth > 0 ? ["--depth", String(depth)] : []),
        ctx.repository.url,
        ".",
      );
      await git(ctx.workspace, "checkout", "-q", "--detach", ctx.repository.sha);
      return;
    }
    case "actions/setup-node": {
      known(["node-version"]);
      const wanted = ctx.with["node-version"] ?? "";
      if (!SUPPORTED_NODE.has(wanted))
        throw new Error(`${uses}: node-version ${wanted || "(none)"} is not a supported LTS (22, 24)`);
      return;
    }
    case "actions/upload-artifact": {
      known(["name", "path"]);
      const from = required(ctx, "path");
      const to = path.join(ctx.artifacts, required(ctx, "name"));
      if (!(await exists(from))) return; // GitHub: `if-no-files-found: warn`
      await cp(from, to, { recursive: true });
      return;
    }
    case "actions/download-artifact": {
      known(["name", "path"]);
      const from = path.join(ctx.artifacts, required(ctx, "name"));
      if (!(await exists(from))) throw new Error(`${uses}: no artifact named ${ctx.with.name}`);
      const to = path.resolve(ctx.workspace, required(ctx, "path"));
      await mkdir(to, { recursive: true });
      await cp(from, to, { recursive: true });
      return;
    }
    default:
      throw new UnsupportedConstruct(`${uses}: the local runner has no stand-in for this action`);
  }
}

function required(ctx: ActionContext, key: string): string {
  const value = ctx.with[key];
  if (!value) throw new UnsupportedConstruct(`with.${key} is required by the local runner`);
  return value;
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}
