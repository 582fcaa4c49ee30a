import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatTicketKey, parseTicketKey } from "../../src/domain/ticket-key.js";

describe("ticket keys", () => {
  it("format and parse are inverse for any valid prefix and number", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Z][A-Z0-9]{0,9}$/),
        fc.integer({ min: 1, max: 2 ** 31 }),
        (prefix, n) => {
          expect(parseTicketKey(formatTicketKey(prefix, n))).toEqual({ ok: true, prefix, number: n });
        },
      ),
    );
  });

  it("accepts lower case and surrounding space, rejects anything else with a reason", () => {
    expect(parseTicketKey(" mc-42 ")).toEqual({ ok: true, prefix: "MC", number: 42 });
    for (const bad of ["MC42", "MC-0", "MC-", "-1", "42", "MC-01", "M C-1", "MC-1x"]) {
      const parsed = parseTicketKey(bad);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.message).toContain("PREFIX-NUMBER");
    }
    expect(() => formatTicketKey("mc", 1)).toThrow(RangeError);
    expect(() => formatTicketKey("MC", 0)).toThrow(RangeError);
  });
});
