/**
 * The runner's `npm`, first on each job's PATH: `npm install --global <spec>` of a package the test
 * names installs a small launcher for its binary into the same folder (on PATH for later steps);
 * any other npm use fails the step. It stands in for the registry and for GitHub's tarballs, which
 * no test reaches: the spec must be exactly what the workflow asks for (e.g. the called ref).
 */
import { chmod, writeFile } from "node:fs/promises";
import path from "node:path";

export interface LocalPackage {
  /** The binary the package installs, e.g. `mctl`. */
  readonly bin: string;
  /** What the binary runs (argv), e.g. `[process.execPath, "dist/cli/main.js"]`. */
  readonly command: readonly string[];
}

const SHIM = `#!/usr/bin/env node
// The local workflow runner's npm (test/support/workflow-runner/npm-shim.ts).
const fs = require("node:fs");
const path = require("node:path");
const packages = JSON.parse(fs.readFileSync(path.join(__dirname, "packages.json"), "utf8"));
const args = process.argv.slice(2);
const specs = args.slice(1).filter((arg) => !arg.startsWith("-"));
if (args[0] !== "install" || !(args.includes("--global") || args.includes("-g")) || specs.length === 0) {
  console.error("workflow runner: npm " + args.join(" ") + " is not supported (only install --global <spec>)");
  process.exit(1);
}
const quote = (s) => "'" + s.replaceAll("'", "'\\\\''") + "'";
for (const spec of specs) {
  const pkg = packages[spec];
  if (!pkg) {
    console.error("workflow runner: cannot install " + spec + " (known: " + Object.keys(packages).join(", ") + ")");
    process.exit(1);
  }
  fs.writeFileSync(path.join(__dirname, pkg.bin), "#!/bin/sh\\nexec " + pkg.command.map(quote).join(" ") + ' "$@"\\n', { mode: 0o755 });
  console.log("added 1 package: " + spec);
}
`;

/** Writes `npm` and its package table into `dir` (a job's own folder, first on its PATH). */
export async function writeNpmShim(
  dir: string,
  packages: Readonly<Record<string, LocalPackage>>,
): Promise<void> {
  await writeFile(path.join(dir, "packages.json"), JSON.stringify(packages));
  await writeFile(path.join(dir, "npm"), SHIM);
  await chmod(path.join(dir, "npm"), 0o755);
}
