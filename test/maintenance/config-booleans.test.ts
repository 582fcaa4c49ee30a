/**
 * The YAML bypass: a regex once read `enabled:` differently from the YAML parser. Configuration is
 * read by one parser (the `yaml` package, YAML 1.2 core schema) and one zod schema, so each way of
 * writing a boolean either means the same typed value everywhere or is refused with a clear message.
 */
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";

const spellings = ["!!bool true", "true", "True", '"true"', "yes", "on", "1", "!!str true"] as const;

describe("one parser, one answer for booleans", () => {
  it.each([
    ["orchestrator", "review_required"],
    ["orchestrator", "retry_failed_completions"],
    ["evidence", "require_merged"],
  ])("%s.%s", (section, key) => {
    const answers = Object.fromEntries(
      spellings.map((spelling) => {
        try {
          const config = parseConfig(`${section}:\n  ${key}: ${spelling}\n`, "mc.yml") as unknown as Record<
            string,
            Record<string, unknown>
          >;
          return [spelling, config[section]?.[key]];
        } catch (error) {
          return [spelling, `refused: ${(error as Error).message}`];
        }
      }),
    );
    // YAML booleans are booleans …
    expect(answers["!!bool true"]).toBe(true);
    expect(answers.true).toBe(true);
    expect(answers.True).toBe(true);
    // … and nothing else is coerced into one: each is refused, naming the file and the key.
    for (const spelling of ['"true"', "yes", "on", "1", "!!str true"])
      expect(answers[spelling]).toMatch(new RegExp(`^refused: mc\\.yml: ${section}\\.${key}: `));
  });

  it("the orchestrator's booleans say what a boolean is", () => {
    expect(() => parseConfig("orchestrator:\n  review_required: yes\n", "mc.yml")).toThrow(
      'mc.yml: orchestrator.review_required: must be true or false (a YAML boolean), not "yes"; quoted "true", yes/no, on/off and 1/0 are not booleans',
    );
    expect(() => parseConfig("orchestrator:\n  review_required: 1\n", "mc.yml")).toThrow(/not 1;/);
  });

  it("defaults and the other new keys", () => {
    const config = parseConfig("", "mc.yml");
    expect(config.orchestrator).toEqual({
      review_required: false,
      retry_failed_completions: true,
      delivery_lease_seconds: 300,
      batch_size: 50,
    });
    expect(config.operator).toEqual({
      dispatch_stale_minutes: 30,
      needs_input_unanswered_hours: 24,
      inbox_waiting_minutes: 60,
      lost_attempts_window_minutes: 60,
      webhook_failure_window_minutes: 60,
      outage_alert_seconds: 120,
    });
    expect(() => parseConfig("operator:\n  enabled: false\n", "mc.yml")).toThrow(
      /operator: unknown key\(s\) enabled/,
    );
  });
});
