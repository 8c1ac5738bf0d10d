// ---- jixiao data shapes (hand-written from the Rust serde types in crates/jixiao) ----------
// Checked against real engine output by bindings/wasm/tests/js/types.test.mjs: every vector's
// scorecard, form, problems, errors and canonical rulebook is type-checked as an object
// literal with `tsc --noEmit`, and each interface's key set is compared with the keys the
// engine actually emits. A `?` key is one the engine leaves out when it is empty/absent.

/** Any JSON value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

// ---- rulebook (评价方案 / 指标体系), crates/jixiao/src/model.rs --------------------------------

/** The stage of 全过程预算绩效管理 a rulebook is written for. */
export type Stage = "ex-ante" | "monitoring" | "self-eval" | "post";
/** How points of indicators marked 不适用 are treated. */
export type NaPolicy = "rescale" | "redistribute";
export type InputType = "number" | "percent" | "integer" | "bool" | "choice" | "date" | "text" | "grade" | "table";
export type GradeAggregate = "mean" | "trimmed_mean" | "median";
export type KpiFormat = "number" | "percent";

/** One grade band (评价等级): a score at or above `min` earns `label`. */
export interface GradeBand {
  label: string;
  label_en?: string;
  min: number;
  /** The report's conclusion (评价结论) for a project in this band. */
  conclusion?: string;
  conclusion_en?: string;
}

/** One level of an expert-grade scale. */
export interface GradeLevel {
  label: string;
  /** Fraction of the points this grade earns, in [0, 1]. */
  fraction: number;
}

export interface WeightConstraint {
  indicators: string[];
  min_points?: number;
  max_points?: number;
  reason?: string;
}

/** A typed field of the submission form (采集数据项), as the engine emits it. */
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
  aggregate?: GradeAggregate;
  /** For `table`: the columns of every row (any type but `table`). */
  columns?: Input[];
}

/** An input as authored: `required` defaults to true. */
export type InputSpec = Omit<Input, "required" | "columns"> & { required?: boolean; columns?: InputSpec[] };

/** A derived value (绩效指标) computed by a Rhai expression. */
export interface Kpi {
  id: string;
  label: string;
  label_en?: string;
  expr: string;
  format?: KpiFormat;
  unit?: string;
}

/** A node of the indicator tree (一/二/三级指标). */
export interface Indicator {
  id: string;
  parent?: string;
  label: string;
  label_en?: string;
  points?: number;
  criteria?: string;
  criteria_en?: string;
  script?: string;
  script_file?: string;
  allow_na?: boolean;
  /** The report's suggestion (整改建议) when this indicator loses points. */
  suggestion?: string;
  suggestion_en?: string;
}

/** The whole rulebook, as TOML/JSON authors write it and `rulebookJson()` returns it. */
export interface RulebookSpec {
  id: string;
  version: string;
  title: string;
  title_en?: string;
  stage: Stage;
  description?: string;
  total?: number;
  grades?: GradeBand[];
  na_policy?: NaPolicy;
  constraints?: WeightConstraint[];
  inputs?: InputSpec[];
  kpis?: Kpi[];
  indicators: Indicator[];
}

// ---- submission (填报), crates/jixiao/src/submission.rs ------------------------------------

/** Who the submission is about; extra fields are carried to the scorecard. */
export interface ProjectInfo {
  id?: string;
  name?: string;
  [extra: string]: JsonValue | undefined;
}

/** A value as typed: numbers also as strings ("98,694.55", "92.5%"), bools as 是/否,
 * grades as "优" or one per expert ["优", "良"]; null or "" = not filled in. */
export type SubmissionValue = number | string | boolean | null | string[] | TableRow[];
/** One row of a `table` input: column id → cell value. */
export type TableRow = Record<string, number | string | boolean | null | string[]>;

export interface Submission {
  project?: ProjectInfo;
  values?: Record<string, SubmissionValue>;
  /** Indicators marked 不适用. */
  not_applicable?: string[];
  /** Evaluator's notes by indicator id. */
  notes?: Record<string, string>;
  /** Evidence references by indicator id (附件编号, 佐证材料), carried to the scorecard. */
  evidence?: Record<string, string[]>;
  /** The experts who graded (专家组成员), in the order every grade input lists their grades. */
  experts?: string[];
  /** The rulebook the submission was made for; another rulebook's id is a `wrong_rulebook` problem. */
  rulebook?: { id: string; version?: string; hash?: string };
}

/** Options of `evaluate` / `evaluateJson`. */
export interface EvalOptions {
  /** Language of explanations and findings; default "zh". */
  lang?: "zh" | "zh-CN" | "en";
  /** Record explanations and the values each script read; default true. */
  trace?: boolean;
}

// ---- problems and errors, crates/jixiao/src/error.rs ---------------------------------------

export type ProblemCode =
  | "toml_syntax" | "json_syntax" | "invalid_id" | "duplicate_id" | "unknown_parent"
  | "tree_cycle" | "no_indicators" | "leaf_without_points" | "leaf_without_script"
  | "parent_with_script" | "invalid_points" | "points_mismatch" | "total_mismatch"
  | "constraint_violated" | "invalid_grade_bands" | "invalid_input" | "script_file"
  | "script_syntax" | "unknown_name" | "kpi_cycle" | "submission_syntax" | "duplicate_key" | "unknown_input"
  | "wrong_type" | "out_of_range" | "invalid_choice" | "invalid_date" | "too_long"
  | "unknown_indicator" | "na_not_allowed" | "wrong_rulebook" | "missing_input" | "script_error"
  | "limit_exceeded" | "result_out_of_range" | "result_not_finite" | "result_wrong_type"
  | "kpi_error" | "not_in_compact_build" | "io";

/** One thing wrong, located as precisely as known. */
export interface Problem {
  code: ProblemCode;
  /** zh-CN message, the one reports print. */
  message: string;
  message_en: string;
  indicator?: string;
  input?: string;
  kpi?: string;
  /** The field of the rulebook/submission entry at fault, e.g. "points", "script". */
  field?: string;
  /** The file `line` refers to when it is not the rulebook itself. */
  file?: string;
  /** 1-based line in the rulebook TOML (or in `file`). */
  line?: number;
  column?: number;
}

/** The own fields of every error this package throws (`Error::to_json()` of the core, plus
 * `argument` for misused arguments and `panic` for an internal bug). */
export interface JixiaoErrorFields {
  kind: "rulebook" | "submission" | "io" | "argument" | "panic";
  code: ProblemCode | "panic";
  message: string;
  rulebook?: string;
  indicator?: string;
  input?: string;
  line?: number;
  problems: Problem[];
}

/** What `new Engine(…)`, `evaluate` … throw: a real `Error` carrying the fields above. */
export type JixiaoError = Error & JixiaoErrorFields & { name: "JixiaoError" };

// ---- scorecard (评价结果), crates/jixiao/src/scorecard.rs -----------------------------------

export interface RulebookRef {
  id: string;
  version: string;
  /** "sha256:…" of the canonical rulebook. */
  hash: string;
}

export interface Grade {
  label: string;
  label_en?: string;
}

export type Status = "scored" | "unscored" | "partial" | "not_applicable" | "error";

export interface DimensionScore {
  id: string;
  label: string;
  label_en?: string;
  points: number;
  score: number;
  attainment: number | null;
  status: Status;
}

/** Why points were lost (扣分原因 / 存在问题). */
export interface Finding {
  message: string;
  deduction?: number;
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
  reads?: Record<string, JsonValue>;
}

export interface KpiValue {
  id: string;
  label: string;
  /** As kept and printed: 4 decimals (a rate to 0.01 %); `null` where an input was missing. */
  value: number | null;
  display?: string;
}

export interface Scorecard {
  rulebook: RulebookRef;
  engine_version: string;
  project?: ProjectInfo;
  total: number;
  raw_total: number;
  max_points: number;
  /** null while the scorecard is incomplete. */
  grade: Grade | null;
  complete: boolean;
  dimensions: DimensionScore[];
  indicators: IndicatorScore[];
  /** Evidence references by indicator id, as the submission attached them. */
  evidence?: Record<string, string[]>;
  /** The experts who graded, as the submission names them. */
  experts?: string[];
  kpis: KpiValue[];
  problems?: Problem[];
}

// ---- form, crates/jixiao/src/form.rs ---------------------------------------------------------

/** The rulebook header of a form, and what `Engine.metadata()` returns. */
export interface RulebookInfo extends RulebookRef {
  title: string;
  title_en?: string;
  stage: Stage;
  total: number;
  na_policy: NaPolicy;
  /** Highest first. */
  grades: GradeBand[];
}

export interface FormIndicator {
  id: string;
  label: string;
  label_en?: string;
  points: number;
  criteria?: string;
  criteria_en?: string;
  allow_na: boolean;
  /** Every input this indicator needs, directly or through KPIs. */
  inputs: string[];
}

export interface FormGroup {
  id: string;
  label: string;
  label_en?: string;
  points: number;
  indicators: FormIndicator[];
  /** Inputs first read in this group; each input appears in exactly one group. */
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
  rulebook: RulebookInfo;
  sections: FormSection[];
}
