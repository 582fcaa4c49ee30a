import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

const require = createRequire(import.meta.url);
const addFormats = addFormatsModule.default;

/**
 * Validates webhook payloads against @octokit/webhooks-schemas: the definition for
 * `<event>$<action>` (or `<event>$event` for events without actions), compiled on first use.
 */
export class WebhookSchemas {
  // inlineRefs: false compiles each shared definition (user, repository, …) once instead of into every
  // event's validator: the same verdicts for a third of the compile time.
  readonly #ajv = new Ajv({
    strict: false,
    allErrors: true,
    validateSchema: false,
    logger: false,
    inlineRefs: false,
  });
  readonly #validators = new Map<string, ValidateFunction>();
  readonly #definitions: Set<string>;

  constructor() {
    const schema = JSON.parse(
      readFileSync(require.resolve("@octokit/webhooks-schemas/schema.json"), "utf8"),
    ) as {
      definitions: Record<string, unknown>;
    };
    this.#definitions = new Set(Object.keys(schema.definitions));
    addFormats(this.#ajv);
    // Only the definitions are needed; each is compiled by reference when first used.
    this.#ajv.addSchema({ definitions: schema.definitions }, "webhooks");
  }

  definitionFor(event: string, action: string | null): string {
    return action === null ? `${event}$event` : `${event}$${action}`;
  }

  /** Problems with the payload (empty when it conforms). */
  check(event: string, action: string | null, payload: unknown): string[] {
    const name = this.definitionFor(event, action);
    if (!this.#definitions.has(name)) return [`no webhook schema ${name}`];
    let validate = this.#validators.get(name);
    if (!validate) {
      validate = this.#ajv.compile({ $ref: `webhooks#/definitions/${name.replace("$", "%24")}` });
      this.#validators.set(name, validate);
    }
    if (validate(payload)) return [];
    return (validate.errors ?? [])
      .slice(0, 15)
      .map((e) => `${name}: ${e.instancePath || "/"} ${e.message ?? ""} ${JSON.stringify(e.params)}`);
  }
}
