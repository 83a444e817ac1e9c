/** Pure helpers that turn API payloads into what the page shows. */

export interface FieldProblem {
  pointer: string;
  detail: string;
}

export interface Problem {
  title?: string;
  detail?: string;
  errors?: FieldProblem[];
}

/** One line per bad field, "/training/epochs: must be >= 1", after the problem's summary. */
export function describeProblem(p: Problem): string {
  const lines = [p.detail ?? p.title ?? 'request failed'];
  for (const e of p.errors ?? []) {
    lines.push(`${e.pointer || '(document)'}: ${e.detail}`);
  }
  return lines.join('\n');
}

/** "3 SUCCEEDED, 1 RUNNING" from a status → count map, in life-cycle order. */
export function summarizeRuns(runs: Record<string, number>): string {
  const order = ['QUEUED', 'RUNNING', 'EVALUATING', 'SUCCEEDED', 'FAILED', 'CANCELLED'];
  return order.filter((s) => runs[s]).map((s) => `${runs[s]} ${s}`).join(', ') || 'no runs';
}

/** A fraction as a percentage with one decimal, or an em dash when missing. */
export function percent(x: number | null | undefined): string {
  return x === null || x === undefined || Number.isNaN(x) ? '—' : `${(x * 100).toFixed(1)}%`;
}
