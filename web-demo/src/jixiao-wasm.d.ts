// The JS API of bindings/wasm (web build), as this page uses it. Vite's alias `jixiao-wasm`
// resolves to bindings/wasm/pkg-web/jixiao_wasm.js; tsconfig's `paths` points the type
// checker here, so the page type-checks whether or not the package is built yet. Only
// src/engine.ts imports it.
import type { EvalOptions, Form, Problem, Scorecard, Submission } from "./types";

export default function init(input?: unknown): Promise<unknown>;

export declare class Engine {
  constructor(rulebookText: string);
  evaluate(submission: Submission | string, options?: EvalOptions): Scorecard;
  validate(submission: Submission | string): Problem[];
  form(): Form;
  free(): void;
}

export declare function version(): string;
