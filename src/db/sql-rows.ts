import { getTableColumns, type SQL, sql } from "drizzle-orm";
import type { AnyPgColumn, PgTable } from "drizzle-orm/pg-core";

/**
 * Helpers for the lifecycle's writes that are one statement of data-modifying CTEs (a claim, an
 * attempt's end): what drizzle's builders do for a single table, for SQL written by hand.
 */

/** A column list for an INSERT written in SQL, named from the schema (unqualified, as INSERT wants). */
export function columnList(...list: AnyPgColumn[]): SQL {
  return sql.join(
    list.map((c) => sql.identifier(c.name)),
    sql`, `,
  );
}

/** A row as `row_to_json` gives it (SQL names, timestamps as text) in drizzle's shape. */
export function rowFromJson<T>(table: PgTable, json: unknown): T {
  const source = (typeof json === "string" ? JSON.parse(json) : json) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(getTableColumns(table))) {
    const value = source[column.name];
    out[key] =
      value === null || value === undefined
        ? null
        : column.columnType === "PgTimestamp" || column.columnType === "PgTimestampString"
          ? new Date(String(value))
          : column.columnType === "PgBigInt53"
            ? Number(value)
            : value;
  }
  return out as T;
}
