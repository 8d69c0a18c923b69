// The bench's figures: each one plan33 next to raw Temporal measured in the same run, their
// ratio, and the goal of issue 18 it answers (a ratio to raw, or an absolute bound where raw
// Temporal has no counterpart). `npm run bench` prints them as a table and writes them to
// `.plan33/bench/latest.json` as `{ quick, figures: [{ name, plan33, raw, ratio, goal, met }] }`.

export interface Figure {
  name: string;
  plan33: number | null;
  raw: number | null;
  /** plan33 / raw; null when there is no raw counterpart. */
  ratio: number | null;
  /** e.g. `ratio ≥ 0.8` or `plan33 ≤ 12`; null for a figure shown for information. */
  goal: string | null;
  /** Whether the goal is met; null when there is no goal. */
  met: boolean | null;
}

export interface BenchReport {
  quick: boolean;
  figures: Figure[];
}

export interface Goal {
  on: 'plan33' | 'ratio';
  op: '≤' | '<' | '≥';
  value: number;
}

export function figure(name: string, plan33: number | null | undefined, raw: number | null | undefined, goal?: Goal): Figure {
  const p = plan33 ?? null;
  const r = raw ?? null;
  const ratio = p === null || r === null ? null : p / r;
  const subject = goal?.on === 'ratio' ? ratio : p;
  let met: boolean | null = null;
  if (goal) {
    if (subject === null || !Number.isFinite(subject)) met = false;
    else met = goal.op === '≤' ? subject <= goal.value : goal.op === '<' ? subject < goal.value : subject >= goal.value;
  }
  return { name, plan33: p, raw: r, ratio, goal: goal ? `${goal.on} ${goal.op} ${goal.value}` : null, met };
}

const FIELDS = ['name', 'plan33', 'raw', 'ratio', 'goal', 'met'] as const;

/** What is wrong with a report (empty: well-formed, and every ratio that has a raw is computed). */
export function reportProblems(report: unknown): string[] {
  const problems: string[] = [];
  const r = report as Partial<BenchReport> | null;
  if (typeof r !== 'object' || r === null) return ['not an object'];
  if (typeof r.quick !== 'boolean') problems.push('quick: not a boolean');
  if (!Array.isArray(r.figures) || r.figures.length === 0) return [...problems, 'figures: not a non-empty array'];
  r.figures.forEach((f: Figure, i) => {
    const at = `figures[${i}] (${String(f?.name)})`;
    if (typeof f !== 'object' || f === null) return void problems.push(`${at}: not an object`);
    const keys = Object.keys(f).sort();
    if (keys.join() !== [...FIELDS].sort().join()) problems.push(`${at}: fields ${keys.join(', ')}; want ${FIELDS.join(', ')}`);
    if (typeof f.name !== 'string' || f.name === '') problems.push(`${at}: no name`);
    if (typeof f.plan33 !== 'number' || !Number.isFinite(f.plan33)) problems.push(`${at}: plan33 is ${String(f.plan33)}`);
    if (f.raw !== null && (typeof f.raw !== 'number' || !Number.isFinite(f.raw))) problems.push(`${at}: raw is ${String(f.raw)}`);
    if (f.raw !== null && (typeof f.ratio !== 'number' || !Number.isFinite(f.ratio))) problems.push(`${at}: the ratio cannot be computed (${String(f.ratio)})`);
    if (f.raw === null && f.ratio !== null) problems.push(`${at}: a ratio without a raw figure`);
    if (f.goal !== null && typeof f.goal !== 'string') problems.push(`${at}: goal is neither a string nor null`);
    if (f.goal === null ? f.met !== null : typeof f.met !== 'boolean') problems.push(`${at}: met is ${String(f.met)} for goal ${String(f.goal)}`);
  });
  return problems;
}

const num = (v: number | null, digits?: number) => {
  if (v === null) return '';
  const d = digits ?? (Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2);
  return v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
};

/** The figures as a Markdown table (what docs/scaling.md shows). */
export function formatTable(report: BenchReport): string {
  const rows = report.figures.map((f) => [f.name, num(f.plan33), num(f.raw), num(f.ratio, 2), f.goal ?? '', f.met === null ? '' : f.met ? 'yes' : 'NO']);
  const head = ['figure', 'plan33', 'raw Temporal', 'ratio', 'goal', 'met'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 || i === 4 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [line(head), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)].join('\n');
}
