/**
 * The demo's story as data: the repository it runs in, its configuration, the person, and the
 * tickets with the end state each must reach. Nothing here does I/O.
 */
import type { NewTicket } from "../lifecycle/index.js";

export const DEMO_REPOSITORY = "demo/widgets";
export const DEMO_OWNER = "demo";
export const DEMO_REPO_NAME = "widgets";
/** The person with write access who answers the agent's question. */
export const DEMO_PERSON = "alice";
/** The CI app whose `build` check run the evidence policy requires. */
export const DEMO_CI_APP = "demo-ci";
export const DEMO_CI_CHECK = "build";
export const DEMO_ENVIRONMENT = "staging";
/** Who the dispatcher records as the worker of new attempts (an agent identity). */
export const DEMO_AGENT = "mission-control-agent";

/**
 * `.github/mission-control.yml` of the demo repository. The demo runs with it too, so the
 * verifier (which reads it from the stand-in's default branch) and the dispatcher agree.
 * `max_attempts: 2` makes the CI-fails ticket's end deterministic: two failed verifications, then
 * the dispatcher holds it (`max_attempts_reached`) with an inbox item for a person.
 */
export const DEMO_CONFIG_YAML = `# Mission Control configuration of the demo repository (short intervals: a demo, not production).
dispatch:
  max_workers: 3
  attempt_lease_seconds: 60
  lease_seconds: 30
  backoff: { base_seconds: 1, cap_seconds: 2 }
  max_attempts: 2
  agent_identities: [${DEMO_AGENT}]
worker:
  test_command: [node, test.mjs]
  heartbeat_seconds: 5
  stop_grace_seconds: 2
  test_timeout_seconds: 60
evidence:
  required_checks:
    - name: ${DEMO_CI_CHECK}
      app: ${DEMO_CI_APP}
  require_merged: true
  required_environments: [${DEMO_ENVIRONMENT}]
  require_tests: true
orchestrator:
  review_required: false
  retry_failed_completions: true
app:
  mirror: { retry_base_seconds: 1, retry_cap_seconds: 5, lease_seconds: 30, poll_seconds: 1, batch_size: 20 }
`;

/** The repository's files (the local clone's first commit, shown on the stand-in under git's sha). */
export const DEMO_FILES: Readonly<Record<string, string>> = {
  "README.md": "# widgets\n\nThe repository Mission Control's demo works in.\n",
  "widget.json": '{ "name": "widget", "sizes": ["s", "m", "l"] }\n',
  // The CI job: every JSON file at the top must parse.
  "build.mjs": `import { readdirSync, readFileSync } from "node:fs";
let failed = 0;
for (const file of readdirSync(".").filter((f) => f.endsWith(".json"))) {
  try {
    JSON.parse(readFileSync(file, "utf8"));
    console.log(\`ok \${file}\`);
  } catch (error) {
    failed += 1;
    console.error(\`\${file}: \${error.message}\`);
  }
}
process.exit(failed ? 1 : 0);
`,
  // The worker's test command: the README is still there.
  "test.mjs": `import { readFileSync } from "node:fs";
const readme = readFileSync("README.md", "utf8");
if (!readme.startsWith("# widgets")) {
  console.error("README.md lost its title");
  process.exit(1);
}
console.log("1 test passed");
`,
  ".github/mission-control.yml": DEMO_CONFIG_YAML,
};

/** The role a ticket plays in the story; each has one expected end state (see end-states.ts). */
export const ROLES = ["assigned_to_person", "completes", "blocked", "asks_question", "ci_fails"] as const;
export type Role = (typeof ROLES)[number];

export interface DemoTicket {
  readonly role: Role;
  readonly ticket: Omit<NewTicket, "repository" | "blockedBy">;
  /** Roles of the tickets this one waits for (resolved to keys when the tickets are created). */
  readonly blockedBy: readonly Role[];
  /** What the person answers to this ticket's question, if it asks one. */
  readonly answer?: string;
}

const plan = (...steps: string[]) =>
  `\n\nPlan for the demo agent:\n${steps.map((s) => `- ${s}`).join("\n")}\n`;
const write = (file: string, content: string) => `write \`${file}\`: ${JSON.stringify(content)}`;
const append = (file: string, content: string) => `append \`${file}\`: ${JSON.stringify(content)}`;

/** The tickets, in creation order (MC-1 … MC-5 in a fresh database). */
export const DEMO_TICKETS: readonly DemoTicket[] = [
  {
    role: "assigned_to_person",
    ticket: {
      title: "Write the release notes",
      body: "A person writes these; agents must leave the ticket alone.",
      assignee: DEMO_PERSON,
      priority: "high",
    },
    blockedBy: [],
  },
  {
    role: "completes",
    ticket: {
      title: "Add a widget catalogue",
      body: `List every widget on one page.${plan(write("catalogue.md", "# Catalogue\n\n- widget (s, m, l)\n"))}`,
      priority: "high",
      labels: ["docs"],
    },
    blockedBy: [],
  },
  {
    role: "blocked",
    ticket: {
      title: "Link the catalogue from the README",
      body: `Needs the catalogue first.${plan(append("README.md", "\nSee the [catalogue](catalogue.md).\n"))}`,
      labels: ["docs"],
    },
    blockedBy: ["completes"],
  },
  {
    role: "asks_question",
    ticket: {
      title: "Paint the widget",
      body: `The widget needs a colour; ask which one.${plan(
        "ask: Which colour should the widget be?",
        write("colour.txt", "{answer}\n"),
      )}`,
    },
    blockedBy: [],
    answer: "Blue, like the sky.",
  },
  {
    role: "ci_fails",
    ticket: {
      title: "Build the widgets in parallel",
      // Not JSON (YAML's `yes`): the worker's tests pass, the CI build does not.
      body: `Turn on parallel builds.${plan(write("build.json", '{ "parallel": yes }\n'))}`,
      priority: "low",
    },
    blockedBy: [],
  },
];
