import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

/**
 * Checks responses against GitHub's official OpenAPI description (api.github.com, dereferenced,
 * from @octokit/openapi). The description is parsed once per test file and only the schemas a
 * test needs are compiled, once per (operation, status).
 */

type Schema = Record<string, unknown>;
interface Operation {
  readonly method: string;
  readonly path: string;
  readonly responses: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}

const require = createRequire(import.meta.url);
// ajv-formats is CommonJS: under NodeNext its default import is the module object, the plugin is `.default`.
const addFormats = addFormatsModule.default;

/** Statuses GitHub may answer any operation with, even where the description lists no such response. */
const GENERIC_ERRORS = new Set([401, 403, 404, 409, 422, 429, 500, 502, 503]);

export interface ContractResult {
  readonly operationId: string;
  readonly status: number;
  readonly documented: boolean;
}

export class OpenApiContract {
  readonly #operations = new Map<string, Operation>();
  readonly #validators = new Map<string, ValidateFunction>();
  readonly #ajv: Ajv;
  readonly #basicError: Schema;
  readonly #validationError: Schema;
  /** Every (operation, status) validated so far, for the coverage check. */
  readonly checked: ContractResult[] = [];

  constructor() {
    const file = require.resolve("@octokit/openapi/generated/api.github.com.deref.json");
    const description = JSON.parse(readFileSync(file, "utf8")) as {
      paths: Record<string, Record<string, unknown>>;
    };
    for (const [path, item] of Object.entries(description.paths)) {
      for (const [method, value] of Object.entries(item)) {
        const op = value as { operationId?: string; responses?: Operation["responses"] };
        if (op.operationId && op.responses)
          this.#operations.set(op.operationId, {
            method: method.toUpperCase(),
            path,
            responses: op.responses,
          });
      }
    }
    // GitHub's generic error shapes, taken from operations that document them.
    this.#basicError = this.#schemaOf("repos/get", "404") ?? fail("basic-error schema not found");
    this.#validationError =
      this.#schemaOf("issues/create", "422") ?? fail("validation-error schema not found");
    this.#ajv = new Ajv({ strict: false, allErrors: true, logger: false });
    addFormats(this.#ajv);
  }

  operation(operationId: string): Operation | undefined {
    return this.#operations.get(operationId);
  }

  #schemaOf(operationId: string, status: string): Schema | undefined {
    return this.#operations.get(operationId)?.responses[status]?.content?.["application/json"]?.schema;
  }

  /**
   * Validates one response. Returns the problems (empty when it conforms): an unknown operation,
   * an undocumented status that is not one of GitHub's generic errors, a body where none is
   * documented, or schema violations (with their JSON pointers).
   */
  check(operationId: string, status: number, body: unknown): string[] {
    const op = this.#operations.get(operationId);
    if (!op) return [`operation ${operationId} is not in GitHub's OpenAPI description`];
    const documented = op.responses[String(status)];
    let schema: Schema | undefined;
    if (documented) {
      schema = documented.content?.["application/json"]?.schema;
      if (!schema) {
        return body === undefined
          ? this.#ok(operationId, status, true)
          : [`${operationId} ${status}: a body was sent where none is documented`];
      }
    } else if (GENERIC_ERRORS.has(status)) {
      schema = status === 422 ? this.#validationError : this.#basicError;
    } else {
      return [
        `${operationId}: status ${status} is not documented (documented: ${Object.keys(op.responses).join(", ")})`,
      ];
    }
    const key = `${operationId} ${status}${documented ? "" : " generic"}`;
    let validate = this.#validators.get(key);
    if (!validate) {
      validate = this.#compile(schema);
      this.#validators.set(key, validate);
    }
    if (validate(body)) return this.#ok(operationId, status, documented !== undefined);
    return (validate.errors ?? [])
      .slice(0, 15)
      .map(
        (e: ErrorObject) => `${key}: ${e.instancePath || "/"} ${e.message ?? ""} ${JSON.stringify(e.params)}`,
      );
  }

  #ok(operationId: string, status: number, documented: boolean): string[] {
    this.checked.push({ operationId, status, documented });
    return [];
  }

  /** Compiles a schema; formats ajv-formats does not know (int64, repo.nwo …) are accepted as-is. */
  #compile(schema: Schema): ValidateFunction {
    const converted = toJsonSchema(schema) as Schema;
    for (;;) {
      try {
        return this.#ajv.compile(converted);
      } catch (error) {
        const unknown = /unknown format "([^"]+)"/.exec((error as Error).message)?.[1];
        if (!unknown) throw error;
        this.#ajv.addFormat(unknown, true);
      }
    }
  }
}

/**
 * OpenAPI 3.0 → JSON Schema for ajv: `nullable: true` becomes a `null` alternative (also when the
 * schema is an anyOf/allOf without `type`, and including `enum`s, which GitHub marks nullable
 * while returning null, e.g. a check run's `conclusion`).
 */
export function toJsonSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toJsonSchema);
  if (schema === null || typeof schema !== "object") return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "properties" && value && typeof value === "object") {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, toJsonSchema(sub)]));
    } else if (["items", "additionalProperties", "not", "anyOf", "oneOf", "allOf"].includes(key)) {
      out[key] = toJsonSchema(value);
    } else if (key !== "nullable") {
      out[key] = value;
    }
  }
  if ((schema as { nullable?: unknown }).nullable !== true) return out;
  if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  if (typeof out.type === "string") return { ...out, type: [out.type, "null"] };
  return { anyOf: [{ type: "null" }, out] };
}

function fail(message: string): never {
  throw new Error(message);
}
