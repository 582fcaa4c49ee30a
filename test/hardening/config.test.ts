/**
 * The bad-input corpus for configuration (issue 10, docs/hardening.md): hostile
 * `.github/mission-control.yml` text through the one real loader (`parseConfig`, src/config/load.ts),
 * then through the app's own path — the evidence policy read from a repository's default branch by
 * the verifier the app runs — where a hostile file must leave the verdict pending with the reason,
 * never passing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, MAX_CONFIG_BYTES, MAX_CONFIG_DEPTH, parseConfig } from "../../src/config/load.js";
import { readConfigOverrides } from "../../src/config/overrides.js";
import { DEFAULT_CONFIG } from "../../src/config/schema.js";
import { scenario } from "../evidence/support.js";
import { describeOnDatabase, type HardenedApp, startHardenedApp } from "./support/app.js";

/** The classic "billion laughs": nine levels of nine aliases, 9^9 nodes if expanded. */
const BILLION_LAUGHS = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...["b", "c", "d", "e", "f", "g", "h", "i"].map(
    (name, i) => `${name}: &${name} [${Array(9).fill(`*${"abcdefgh"[i]}`).join(",")}]`,
  ),
].join("\n");

const flowNest = (depth: number) => `evidence: ${"[".repeat(depth)}${"]".repeat(depth)}\n`;
const blockNest = (depth: number) =>
  `${Array.from({ length: depth }, (_, i) => `${"  ".repeat(i)}k${i}:`).join("\n")} 1\n`;

/** [name, YAML, what the error must say] */
const HOSTILE: [string, string, RegExp][] = [
  ["an alias bomb (billion laughs)", BILLION_LAUGHS, /aliases expand to too many nodes/],
  [
    "a quadratic alias blow-up",
    `x: &x ${JSON.stringify("y".repeat(1000))}\nl: [${Array(200).fill("*x").join(",")}]\n`,
    /aliases expand to too many nodes/,
  ],
  ["flow collections nested 30,000 deep", flowNest(30_000), /nested more than 32 levels deep/],
  ["block mappings nested 200 deep", blockNest(200), /nested more than 32 levels deep/],
  [
    "sequence indicators on one line (an error path in yaml)",
    `evidence: ${"- ".repeat(2_000)}x\n`,
    /invalid YAML|nested more than/,
  ],
  ["a JavaScript function tag", "evidence: !!js/function 'function () { return 1 }'\n", /Unresolved tag/],
  ["a binary tag (YAML 1.1)", "evidence:\n  required_checks: !!binary aGVsbG8=\n", /Unresolved tag/],
  ["a custom local tag", "dispatch: !foo\n  max_workers: 2\n", /Unresolved tag: !foo/],
  ["a Python object tag", "dispatch: !!python/object:os.system ls\n", /Unresolved tag/],
  ["a set tag", "evidence:\n  required_checks: !!set { a, b }\n", /Unresolved tag/],
  [
    "duplicate keys",
    "dispatch:\n  max_workers: 1\ndispatch:\n  max_workers: 99\n",
    /Map keys must be unique/,
  ],
  ["two documents", "dispatch: {}\n---\nevidence: {}\n", /multiple documents/],
  ["a merge key (not YAML 1.2)", "base: &b { max_workers: 9 }\ndispatch:\n  <<: *b\n", /unknown key/],
  ["a __proto__ key", "__proto__:\n  polluted: true\n", /unknown key\(s\) __proto__/],
  [
    "a number as a string",
    "dispatch:\n  max_workers: '4'\n",
    /dispatch\.max_workers: must be a whole number, not "4"/,
  ],
  ["a list where a number goes", "dispatch:\n  max_workers: [4]\n", /dispatch\.max_workers/],
  ["a negative count", "dispatch:\n  max_workers: -1\n", /dispatch\.max_workers/],
  ["an infinite number", "dispatch:\n  max_workers: .inf\n", /dispatch\.max_workers/],
  [
    "a mapping where a list goes",
    "evidence:\n  required_checks: { name: ci }\n",
    /evidence\.required_checks/,
  ],
  ["a boolean spelled yes", "evidence:\n  require_tests: yes\n", /evidence\.require_tests/],
  ["a scalar document", "just a string\n", /\(top level\)/],
  ["a sequence document", "- dispatch\n- evidence\n", /\(top level\)/],
  ["a huge file", `# ${"x".repeat(MAX_CONFIG_BYTES)}\n`, new RegExp(`limit is ${MAX_CONFIG_BYTES}`)],
  ["broken YAML", "dispatch: [\n", /invalid YAML/],
];

describe("hostile configuration through parseConfig", () => {
  for (const [name, text, message] of HOSTILE) {
    it(`${name}: a ConfigError that names the file and says why`, () => {
      let error: unknown;
      try {
        parseConfig(text, "mc.yml");
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(/^mc\.yml: /);
      expect((error as Error).message).toMatch(message);
      // One readable line, never the whole hostile input echoed back.
      expect((error as Error).message.length).toBeLessThan(400);
    });
  }

  it("deep documents one after another do not crash the process (yaml's recursion used to abort V8)", () => {
    // Before the depth check, parsing a 5,000-deep then a 30,000-deep document (60 KB) in one
    // process ended it with "FATAL ERROR: RegExpCompiler Allocation failed" — no exception, no message.
    for (const depth of [5_000, 30_000, 5_000, 30_000])
      expect(() => parseConfig(flowNest(depth), "mc.yml")).toThrow(/nested more than/);
  });

  it("what configuration really looks like still parses: anchors within reason, comments, a BOM, 32 levels", () => {
    const anchors = "evidence:\n  required_checks: &checks [{ name: ci }]\n  required_statuses: []\n";
    expect(parseConfig(anchors, "mc.yml").evidence.required_checks).toEqual([{ name: "ci" }]);
    expect(parseConfig("\uFEFF# comment\ndispatch:\n  max_workers: 3\n", "mc.yml").dispatch.max_workers).toBe(
      3,
    );
    expect(() => parseConfig(flowNest(MAX_CONFIG_DEPTH - 1), "mc.yml")).toThrow(/evidence/);
    expect(() => parseConfig(flowNest(MAX_CONFIG_DEPTH - 1), "mc.yml")).not.toThrow(/nested more than/);
    expect(parseConfig("", "mc.yml")).toEqual(DEFAULT_CONFIG);
  });

  it("an environment override goes through the same guards", () => {
    const overrides = readConfigOverrides({ MCTL__DISPATCH__MAX_WORKERS: "!!js/function 'x'" });
    expect(() => parseConfig("", "mc.yml", overrides)).toThrow(
      /environment MCTL__DISPATCH__MAX_WORKERS: invalid YAML/,
    );
    const deep = readConfigOverrides({ MCTL__EVIDENCE__REQUIRED_CHECKS: "[".repeat(50_000) });
    expect(() => parseConfig("", "mc.yml", deep)).toThrow(/nested more than/);
  });
});

describeOnDatabase("a hostile policy file in a repository, read by the app's verifier", (db) => {
  let app: HardenedApp;
  beforeAll(async () => {
    app = await startHardenedApp(db());
    app.gh.world.app({ slug: "ci", name: "CI" });
  });
  afterAll(async () => app?.stop());

  /** A verifying ticket in a repository whose default branch holds `policy`; a status webhook makes the app verify. */
  async function verifyUnder(policy: string) {
    const s = scenario(app.gh, db(), policy);
    const sha = s.commit();
    const { key } = await s.verifyingTicket(sha);
    app.gh.world.status(s.repository, { sha, state: "success", context: "ci/lint", creator: "bob" });
    await app.settle();
    const ticket = await app.lifecycle.findTicket(key);
    const verdicts = await app.lifecycle.evidence.verdictsOf(ticket?.id ?? -1);
    return { ticket, verdict: verdicts.at(-1), checkRuns: app.gh.world.checkRunsOf(s.repository, sha) };
  }

  // What used to escape the loader's errors (the bomb: an uncaught ReferenceError; the depth: a V8
  // abort) or be let through (a tag where a string goes was read as that string), and the new size
  // limit; wrong types and duplicate keys were already `policy_invalid` (the corpus above has them).
  const cases: [string, string, RegExp][] = [
    [
      "an alias bomb",
      `evidence:\n  require_tests: false\n${BILLION_LAUGHS}\n`,
      /aliases expand to too many nodes/,
    ],
    ["nesting 30,000 deep", flowNest(30_000), /nested more than 32 levels/],
    [
      "a JavaScript function tag where a string goes",
      "evidence:\n  required_checks:\n    - name: !!js/function 'function () {}'\n",
      /Unresolved tag/,
    ],
    ["a 100 KB file", `# ${"x".repeat(100 * 1024)}\nevidence: {}\n`, /limit is 65536/],
  ];

  it(`${cases.length} hostile policies: each verdict pending with the reason, never a pass; a sound policy passes`, async () => {
    app.gh.world.user("bob");
    for (const [name, policy, reason] of cases) {
      const { ticket, verdict, checkRuns } = await verifyUnder(policy);
      expect(verdict?.status, name).toBe("pending");
      const criteria = (verdict?.criteria ?? []) as { id: string; reason: string; message: string }[];
      const criterion = criteria.find((c) => c.id === "policy");
      expect(criterion, name).toMatchObject({ reason: "policy_invalid" });
      expect(criterion?.message, name).toMatch(/\.github\/mission-control\.yml/);
      expect(criterion?.message, name).toMatch(reason);
      expect(ticket?.state, name).toBe("verifying");
      expect(
        checkRuns.find((r) => r.name === "Mission Control / evidence")?.conclusion ?? null,
        name,
      ).not.toBe("success");
    }
    const sound = await verifyUnder("evidence:\n  require_tests: true\n");
    expect(sound.verdict?.status).toBe("pass");
  });
});
