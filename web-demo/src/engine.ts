// The one module that talks to the WASM package (bindings/wasm/pkg, aliased `jixiao-wasm`):
// loading it, the rulebooks it ships, compiling, scoring, and turning what it throws into
// located problems. The package's own types are checked against the page's (./types) here.

import init, { Engine, shippedRulebook, shippedRulebookIds, version } from "jixiao-wasm";
import type { Form, JixiaoError, Lang, Problem, Scorecard, Submission } from "./types";

export interface Shipped {
  id: string;
  title: string;
  title_en?: string;
  /** Canonical JSON (scripts inlined), as `jixiao export` prints it: same hash as the CLI. */
  text: string;
}

let ready: Promise<void> | null = null;

export function loadWasm(): Promise<void> {
  ready ??= init().then(() => undefined);
  return ready;
}

export function engineVersion(): string {
  try {
    return version();
  } catch {
    return "?";
  }
}

/** Every rulebook the package ships (rules/*), titles read from their JSON. */
export function shipped(): Shipped[] {
  const out: Shipped[] = [];
  for (const id of shippedRulebookIds()) {
    try {
      const text = shippedRulebook(id);
      const meta = JSON.parse(text) as { title?: string; title_en?: string };
      out.push({ id, title: meta.title ?? id, title_en: meta.title_en, text });
    } catch {
      /* a pack that cannot be read is left out of the list */
    }
  }
  return out;
}

/** The rulebook the page opens with: gov-it-post when shipped, else demo, else the first. */
export function defaultRulebookId(ids: string[]): string {
  for (const id of ["gov-it-post", "demo"]) if (ids.includes(id)) return id;
  return ids[0] ?? "demo";
}

/** A compiled rulebook. */
export class Rules {
  private engine: Engine;
  readonly form: Form;

  /** Compiles the rulebook text (TOML or JSON); throws the engine's JixiaoError. */
  constructor(text: string) {
    this.engine = new Engine(text);
    this.form = this.engine.form();
  }

  evaluate(sub: Submission, lang: Lang): Scorecard {
    return this.engine.evaluate(sub, { trace: true, lang });
  }

  /** The rulebook's canonical JSON (as `jixiao export` prints it), for the report module. */
  rulebookJson(): string {
    return this.engine.rulebookJson();
  }

  validate(sub: Submission): Problem[] {
    return this.engine.validate(sub);
  }

  free(): void {
    this.engine.free();
  }
}

/** A thrown value as the problems it carries (a JixiaoError) or one generic problem. */
export function errorProblems(e: unknown): { message: string; problems: Problem[] } {
  const err = (e ?? {}) as Partial<JixiaoError>;
  const message = (typeof err === "object" && "message" in err ? String(err.message) : String(e)) || "error";
  let problems: Problem[] = Array.isArray(err.problems) ? err.problems : [];
  if (problems.length === 0) {
    problems = [{ code: err.code ?? "error", message, message_en: message, indicator: err.indicator, line: err.line }];
  }
  return { message, problems };
}
