// Every CSV plan33 writes (`plan33 report <name> --csv`, the dashboard's downloads) goes through
// here: csv-stringify with `escape_formulas`, so a cell a spreadsheet would run as a formula (text
// starting with =, +, -, @, a tab or a carriage return, or their full-width forms) is written with
// a leading ' and shown as text. Numbers stay numbers (a negative difference is not text to
// guard); null is an empty cell; true and false are written as words.
import { stringify } from 'csv-stringify/sync';

export type CsvCell = string | number | boolean | null | undefined;

/** The header row and the rows as CSV text, formulas escaped. */
export function csvText(columns: readonly string[], rows: ReadonlyArray<readonly CsvCell[]>): string {
  return stringify([columns as CsvCell[], ...(rows as CsvCell[][])], { escape_formulas: true, cast: { boolean: (v) => String(v) } });
}
