// ---- the batch module (jixiao-wasm/batch): tables of projects, crates/jixiao-batch --------

/** How `Engine.scoreTable` reads a file. */
export interface TableOptions {
  /** Text encoding of a CSV file: "auto" (default: a BOM, else UTF-8 if the text is, else GB18030), or a label such as "gbk". */
  encoding?: string;
  /** The worksheet to read (default: the first). */
  sheet?: string;
  /** The row holding the column names, 1-based (default: found among the first 10 rows). */
  headerRow?: number;
  /** Header → what the column holds: an input id or label, "project.id", "project.name", "不适用:ID", "备注:ID", or "ignore". */
  mapping?: Record<string, string>;
  lang?: "zh" | "zh-CN" | "en";
}

/** The input an unknown header probably means. */
export interface ColumnSuggestion {
  id: string;
  label: string;
  label_en: string | null;
}

export type TableWarning =
  | { kind: "unknown_column"; header: string; suggestion: ColumnSuggestion | null }
  | { kind: "missing_inputs"; inputs: string[] };

/** What one column was read as (`target` in a mapping's words; null: names nothing). */
export interface TableColumn {
  header: string;
  target: string | null;
  label: string | null;
}

/** Why a row failed, located as a person finds it in the file. */
export interface RowError {
  column?: string;
  indicator?: string;
  code: string;
  message: string;
}

export type RowStatus = "scored" | "incomplete" | "failed";

/** One project of the table: what its cells say and how it scored. */
export interface ScoredRow {
  row: number;
  status: RowStatus;
  errors: RowError[];
  submission: Submission | null;
  scorecard: Scorecard | null;
}

/** A file of projects, read and scored as `jixiao batch` does. */
export interface ScoredTable {
  header_row: number | null;
  skipped_rows: number[];
  columns: TableColumn[];
  warnings: TableWarning[];
  rows: ScoredRow[];
}
