import { describe, expect, it } from "vitest";
import { parseDemoArgs, UsageError } from "../../src/demo/options.js";

const quiet = { stdout: () => {}, stderr: () => {} };
const parse = (...argv: string[]) => parseDemoArgs(argv, quiet);

describe("the demo's command line", () => {
  it("defaults: port 3000, runs until stopped, 120 s timeout for --once", () => {
    expect(parse()).toEqual({
      kind: "run",
      options: { once: false, timeout: 120, port: 3000, linger: 0, json: false, keep: false },
    });
    expect(parse("--once", "--port", "0", "--json", "--keep", "--timeout", "60", "--linger", "5")).toEqual({
      kind: "run",
      options: { once: true, timeout: 60, port: 0, linger: 5, json: true, keep: true },
    });
  });

  it("bad values name the option", () => {
    expect(() => parse("--port", "70000")).toThrow(
      new UsageError("--port: must be 0 (any free port) or 1–65535"),
    );
    expect(() => parse("--port", "http")).toThrow(/^--port: must be a port number/);
    expect(() => parse("--timeout", "2")).toThrow("--timeout: must be at least 10 seconds");
    expect(() => parse("--linger", "5")).toThrow("--linger needs --once");
    expect(() => parse("--bogus")).toThrow(UsageError);
    expect(() => parse("extra")).toThrow(UsageError);
  });

  it("--help prints the usage and asks to exit 0", () => {
    let out = "";
    expect(parseDemoArgs(["--help"], { stdout: (t) => (out += t), stderr: () => {} })).toEqual({
      kind: "exit",
      code: 0,
    });
    expect(out).toContain("--once");
    expect(out).toContain("--port <n>");
    expect(out).toContain("Exit codes");
  });
});
