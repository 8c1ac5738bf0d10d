// The JSON shapes of the engine (the Rust serde shapes of crates/jixiao), as the WASM
// package returns them. Kept by hand (crates/jixiao/src/{scorecard,form,submission,error}.rs);
// src/engine.ts is where tsc checks them against the package's own declarations.

export type Lang = "zh-CN" | "en";

export interface Problem {
  code: string;
  message: string;
  message_en: string;
  indicator?: string;
  input?: string;
  kpi?: string;
  field?: string;
  file?: string;
  line?: number;
  column?: number;
}

/** What the WASM package throws: an Error named "JixiaoError". */
export interface JixiaoError extends Error {
  kind?: string;
  code?: string;
  indicator?: string;
  line?: number;
  problems?: Problem[];
  detail?: unknown;
}

export type InputType =
  | "number"
  | "percent"
  | "integer"
  | "bool"
  | "choice"
  | "date"
  | "text"
  | "grade"
  | "table";

export interface GradeLevel {
  label: string;
  fraction: number;
}

export interface Input {
  id: string;
  label: string;
  label_en?: string;
  type: InputType;
  unit?: string;
  min?: number;
  max?: number;
  required: boolean;
  help?: string;
  help_en?: string;
  choices?: string[];
  levels?: GradeLevel[];
  aggregate?: "mean" | "trimmed_mean" | "median";
  /** For `table`: the columns of every row (any type but `table`). */
  columns?: Input[];
}

export interface GradeBand {
  label: string;
  label_en?: string;
  min: number;
}

export interface FormIndicator {
  id: string;
  label: string;
  label_en?: string;
  points: number;
  criteria?: string;
  criteria_en?: string;
  allow_na: boolean;
  inputs: string[];
}

export interface FormGroup {
  id: string;
  label: string;
  label_en?: string;
  points: number;
  indicators: FormIndicator[];
  fields: Input[];
}

export interface FormSection {
  id: string;
  label: string;
  label_en?: string;
  points: number;
  groups: FormGroup[];
}

export interface Form {
  rulebook: {
    id: string;
    version: string;
    hash: string;
    title: string;
    title_en?: string;
    stage: string;
    total: number;
    na_policy: "rescale" | "redistribute";
    grades: GradeBand[];
  };
  sections: FormSection[];
}

/** One row of a `table` input: column id → cell value. */
export type TableRow = Record<string, number | string | boolean | null | string[]>;

export type Value = string | number | boolean | string[] | TableRow[] | null;

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface ProjectInfo {
  id?: string;
  name?: string;
  [extra: string]: JsonValue | undefined;
}

export interface Submission {
  project?: ProjectInfo;
  values: Record<string, Value>;
  not_applicable?: string[];
  notes?: Record<string, string>;
}

export type Status = "scored" | "unscored" | "partial" | "not_applicable" | "error";

export interface Finding {
  message: string;
  deduction?: number | null;
}

export interface IndicatorScore {
  id: string;
  parent?: string;
  level: number;
  leaf: boolean;
  label: string;
  label_en?: string;
  points: number;
  score: number | null;
  attainment: number | null;
  status: Status;
  criteria?: string;
  explanation?: string;
  findings?: Finding[];
  flag?: string;
  missing?: string[];
  error?: Problem;
  note?: string;
  reads?: Record<string, unknown>;
}

export interface DimensionScore {
  id: string;
  label: string;
  label_en?: string;
  points: number;
  score: number;
  attainment: number | null;
  status: Status;
}

export interface KpiValue {
  id: string;
  label: string;
  value: number | null;
  display?: string;
}

export interface Scorecard {
  rulebook: { id: string; version: string; hash: string };
  engine_version: string;
  project?: ProjectInfo;
  total: number;
  raw_total: number;
  max_points: number;
  grade: { label: string; label_en?: string } | null;
  complete: boolean;
  dimensions: DimensionScore[];
  indicators: IndicatorScore[];
  kpis: KpiValue[];
  problems?: Problem[];
}

export interface EvalOptions {
  trace?: boolean;
  lang?: Lang;
}
