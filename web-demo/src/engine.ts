// The one module that talks to the WASM package: loading it, compiling rulebooks, scoring,
// and turning what it throws into located problems.

import init, { Engine, version } from "jixiao-wasm";
import shippedList from "virtual:rulebooks";
import type { Form, JixiaoError, Lang, Problem, Scorecard, Submission } from "./types";

export interface Shipped {
  id: string;
  title: string;
  title_en?: string;
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

/** The rulebooks shipped in rules/, bundled at build time. */
export function shipped(): Shipped[] {
  return shippedList.map((r) => ({ id: r.id, title: r.title, title_en: r.title_en, text: r.text }));
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

  /** Compiles the rulebook text (TOML or JSON); throws what the engine throws. */
  constructor(text: string) {
    this.engine = new Engine(text);
    this.form = this.engine.form();
  }

  evaluate(sub: Submission, lang: Lang): Scorecard {
    return this.engine.evaluate(sub, { trace: true, lang });
  }

  validate(sub: Submission): Problem[] {
    return this.engine.validate(sub);
  }

  free(): void {
    this.engine.free();
  }
}

/** A thrown value as the problems it carries (the engine's Error) or one generic problem. */
export function errorProblems(e: unknown): { message: string; problems: Problem[] } {
  const err = (e ?? {}) as JixiaoError;
  const message = (typeof err === "object" && "message" in err ? String(err.message) : String(e)) || "error";
  let problems: Problem[] = Array.isArray(err.problems) ? err.problems : [];
  if (problems.length === 0) {
    problems = [
      { code: err.code ?? "error", message, message_en: message, indicator: err.indicator, line: err.line },
    ];
  }
  return { message, problems };
}
