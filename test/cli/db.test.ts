import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runMctl } from "../helpers/cli.js";
import { databaseUrl, postgresServer } from "../helpers/databases.js";

describe.runIf(postgresServer !== null)("mctl db migrate [postgres]", () => {
  const name = `mctl_t_cli_${randomBytes(4).toString("hex")}`;
  const admin = () => new pg.Client({ connectionString: postgresServer?.adminUrl });
  let env: Record<string, string>;
  beforeAll(async () => {
    const client = admin();
    await client.connect();
    await client.query(`create database ${name}`);
    await client.end();
    env = { DATABASE_URL: databaseUrl(postgresServer?.adminUrl ?? "", name) };
  });
  afterAll(async () => {
    const client = admin();
    await client.connect();
    await client.query(`drop database if exists ${name}`);
    await client.end();
  });

  it("refuses to work on an unmigrated server, then migrates it once and only once", async () => {
    const before = await runMctl(["ticket", "list"], env);
    expect(before.code).toBe(3);
    expect(before.stderr).toMatch(/schema is behind \(0 of \d+ migrations applied\): run `mctl db migrate`/);

    const first = await runMctl(["db", "migrate", "--json"], env);
    expect(first.code).toBe(0);
    const report = JSON.parse(first.stdout) as { applied: number; total: number; database: string };
    expect(report.applied).toBe(report.total);
    expect(report.total).toBeGreaterThan(0);
    expect(report.database).toContain(name);

    const concurrent = await Promise.all([
      runMctl(["db", "migrate", "--json"], env),
      runMctl(["db", "migrate", "--json"], env),
    ]);
    for (const run of concurrent) expect(JSON.parse(run.stdout)).toMatchObject({ applied: 0 });

    expect(await runMctl(["ticket", "create", "--title", "on postgres"], env)).toMatchObject({ code: 0 });
    const list = await runMctl(["ticket", "list", "--json"], env);
    expect(JSON.parse(list.stdout)).toMatchObject([
      { key: "MC-1", title: "on postgres", repository: "local/tickets" },
    ]);
  });
});
