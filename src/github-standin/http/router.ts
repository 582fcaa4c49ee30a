import type { Route } from "./route.js";

/** Parameters that may span several path segments (GitHub's `{+path}`-style templates). */
const MULTI_SEGMENT = new Set(["path", "basehead"]);

interface CompiledRoute {
  readonly route: Route;
  readonly pattern: RegExp;
  readonly names: readonly string[];
}

export interface RouteMatch {
  readonly route: Route;
  readonly params: Record<string, string>;
}

/** Matches request paths against a route table (templates with `{name}` placeholders). */
export class Router {
  readonly #compiled: CompiledRoute[];

  constructor(readonly routes: readonly Route[]) {
    this.#compiled = routes.map((route) => {
      const names: string[] = [];
      const source = route.template
        .split(/(\{[a-z_]+\})/)
        .map((part) => {
          const name = /^\{([a-z_]+)\}$/.exec(part)?.[1];
          if (!name) return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
          names.push(name);
          return MULTI_SEGMENT.has(name) ? "(.+)" : "([^/]+)";
        })
        .join("");
      return { route, pattern: new RegExp(`^${source}/?$`), names };
    });
  }

  /** The route for a method and path, `method_not_allowed` if only the path matches, or null. */
  match(method: string, path: string): RouteMatch | "method_not_allowed" | null {
    let pathMatched = false;
    for (const { route, pattern, names } of this.#compiled) {
      const found = pattern.exec(path);
      if (!found) continue;
      pathMatched = true;
      if (route.method !== method) continue;
      const params: Record<string, string> = {};
      names.forEach((name, index) => {
        params[name] = safeDecode(found[index + 1] ?? "");
      });
      return { route, params };
    }
    return pathMatched ? "method_not_allowed" : null;
  }
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
