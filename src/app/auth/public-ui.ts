import type { ApiTokenCheck } from "../../store/index.js";
import { type Authenticate, credentialAccess } from "./authenticate.js";
import { createSealer } from "./session.js";
import { signIn } from "./sign-in.js";
import type { SignInSettings } from "./ui-plan.js";
import { userReadAccess } from "./user-repositories.js";

/**
 * The board and API on the public listener: API tokens and GitHub sign-in (the `guarded` exposure
 * of `missionControlApp`). A signed-in person's repository checks are cached for a minute.
 */
export function publicUi(deps: {
  readonly signIn: SignInSettings;
  readonly publicUrl: string;
  /** GitHub's REST API base URL (default https://api.github.com). */
  readonly apiUrl?: string | undefined;
  readonly checkToken: (token: string) => Promise<ApiTokenCheck>;
  readonly now?: () => Date;
  readonly log?: (message: string, detail: Record<string, unknown>) => void;
}): {
  readonly kind: "guarded";
  readonly authenticate: Authenticate;
  readonly routes: ReturnType<typeof signIn>["routes"];
  readonly signInPath: string;
} {
  const now = deps.now ?? (() => new Date());
  const apiUrl = (deps.apiUrl ?? "https://api.github.com").replace(/\/+$/, "");
  const flow = signIn({
    clientId: deps.signIn.clientId,
    clientSecret: deps.signIn.clientSecret,
    publicUrl: deps.publicUrl.replace(/\/+$/, ""),
    apiUrl,
    sealer: createSealer(deps.signIn.sessionSecret, now),
    readAccess: userReadAccess({ apiUrl, now: () => now().getTime() }),
    ...(deps.log ? { log: deps.log } : {}),
  });
  return {
    kind: "guarded",
    authenticate: credentialAccess({ checkToken: deps.checkToken, session: (req) => flow.session(req) }),
    routes: (req, res) => flow.routes(req, res),
    signInPath: flow.signInPath,
  };
}
