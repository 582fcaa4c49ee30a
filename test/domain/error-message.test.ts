import { describe, expect, it } from "vitest";
import { errorMessage, firstLine } from "../../src/domain/error-message.js";

describe("errorMessage", () => {
  it("is an Error's message, its name when the message is empty, and anything else as a string", () => {
    expect(errorMessage(new Error("database unavailable"))).toBe("database unavailable");
    const empty = new TypeError("");
    expect(errorMessage(empty)).toBe("TypeError");
    expect(errorMessage("plain text")).toBe("plain text");
    expect(errorMessage(42)).toBe("42");
    expect(errorMessage(undefined)).toBe("undefined");
  });

  it("firstLine keeps the first line of a multi-line message, trimmed", () => {
    expect(firstLine("\n fatal: not a git repository\nhint: …\n")).toBe("fatal: not a git repository");
    expect(firstLine("one line")).toBe("one line");
  });
});
