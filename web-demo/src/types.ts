// The JSON shapes of the engine, from the WASM package's own declarations
// (bindings/wasm/types/shapes.d.ts, which the package's tests check against real engine
// output), so the page and the package cannot drift apart.

export type {
  DimensionScore,
  EvalOptions,
  Finding,
  Form,
  FormGroup,
  FormIndicator,
  FormSection,
  GradeBand,
  GradeLevel,
  IndicatorScore,
  Input,
  InputType,
  JixiaoError,
  JsonValue,
  KpiValue,
  ProjectInfo,
  Scorecard,
  Status,
  SubmissionValue as Value,
  TableRow,
} from "../../bindings/wasm/types/shapes";

/** The page's languages (the engine also takes "zh"). */
export type Lang = "zh-CN" | "en";

import type {
  Problem as EngineProblem,
  Submission as EngineSubmission,
  SubmissionValue,
} from "../../bindings/wasm/types/shapes";

/** A problem as the page shows it: the engine's, one made of a thrown error's own fields
 * (code "panic" for a caught panic), or one for an error thrown by something other than the
 * engine (code "error"). */
export type Problem = Omit<EngineProblem, "code"> & {
  code: EngineProblem["code"] | "panic" | "error";
};

/** The page's working submission always has its `values` object. */
export type Submission = EngineSubmission & { values: Record<string, SubmissionValue> };
