/** Pure functions that turn API payloads into what the pages show (tested with Vitest). */
import { isMap, isSeq, parseDocument, stringify } from 'yaml';
import type {
  CatalogMethod, CompareRow, MetricsView, Point, RunItem, SearchReport, SearchTrial, Status,
} from './api';

/** The 1-based line of the text at which a JSON pointer's value starts (JSON or YAML), or the nearest parent's. */
export function pointerToLine(text: string, pointer: string): number | null {
  const doc = parseDocument(text);
  if (doc.errors.length > 0 && !doc.contents) {
    return null;
  }
  const path = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  // the deepest node on the path that exists
  let node: unknown = doc.contents;
  let found: unknown = node;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((i) => String((i.key as { value?: unknown })?.value ?? i.key) === key);
      if (!pair) break;
      found = pair.key ?? pair.value;
      node = pair.value;
    } else if (isSeq(node)) {
      const item = node.items[Number(key)];
      if (item === undefined) break;
      found = item;
      node = item;
    } else {
      break;
    }
  }
  const range = (found as { range?: number[] } | null)?.range;
  if (!range) {
    return null;
  }
  return text.slice(0, range[0]).split('\n').length;
}

/** A spec template for a method: a small MLP on the synthetic data, the method with every default shown. */
export function templateFor(method: CatalogMethod): string {
  const sparsity: Record<string, unknown> = { method: method.name };
  for (const [name, prop] of Object.entries(method.schema.properties)) {
    if (name !== 'method' && prop.default !== undefined) {
      sparsity[name] = prop.default;
    }
  }
  if ('target' in method.schema.properties && !sparsity.target) {
    sparsity.target = 0.9; // a sparse method's template is sparse
  }
  const spec = {
    name: `${method.name} on synthetic`,
    dataset: { name: 'synthetic' },
    model: { type: 'mlp', hidden: [64, 32], activation: 'relu' },
    // 6 epochs of 125 steps: long enough for dynamic methods' default update intervals to act
    training: { epochs: 6, batchSize: 32, optimizer: { type: 'sgd', learningRate: 0.05, momentum: 0.9 } },
    sparsity,
    sweep: { seeds: [1, 2] },
  };
  return `# ${method.description}\n${stringify(spec)}`;
}

/** Inserts or replaces a run in a list kept newest first. */
export function upsertRun(list: RunItem[], item: RunItem): RunItem[] {
  const rest = list.filter((r) => r.id !== item.id);
  rest.push(item);
  return rest.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
}

export interface RunFilter { experiment?: string; status?: string; method?: string; owner?: string }

export function matches(r: RunItem, f: RunFilter): boolean {
  return (!f.experiment || r.experimentId === f.experiment) && (!f.status || r.status === f.status)
    && (!f.method || r.method === f.method) && (!f.owner || r.owner === f.owner);
}

/** "2 h 05 min", "3 min 07 s", "12 s"; "—" when unknown. */
export function formatEta(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** Progress of a run in [0, 1]: finished runs are complete, others by epochs. */
export function progress(r: RunItem): number {
  if (r.status === 'SUCCEEDED' || r.status === 'EVALUATING') return 1;
  return r.totalEpochs > 0 ? Math.min(1, r.epoch / r.totalEpochs) : 0;
}

export function isActive(s: Status): boolean {
  return s === 'QUEUED' || s === 'RUNNING';
}

/** Mask churn per layer: dropped, grown and IoU series of the mask updates (layers in name order). */
export function churnByLayer(m: MetricsView): Record<string, { dropped: Point[]; grown: Point[]; iou: Point[] }> {
  const out: Record<string, { dropped: Point[]; grown: Point[]; iou: Point[] }> = {};
  for (const s of m.series) {
    const match = /^mask\.(.+)\.(dropped|grown|iou)$/.exec(s.name);
    if (!match) continue;
    const layer = (out[match[1]] ??= { dropped: [], grown: [], iou: [] });
    // step 0 is the initial mask drawn from a dense start: not churn
    layer[match[2] as 'dropped' | 'grown' | 'iou'] = s.points.filter((p) => p.step > 0);
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

export function series(m: MetricsView, name: string): Point[] {
  return m.series.find((s) => s.name === name)?.points ?? [];
}

/** The method a comparison row stands for: its grid point's, else its experiment's. */
export function methodOf(row: CompareRow, experimentMethod: Record<string, string>): string {
  const g = row.gridPoint?.['sparsity.method'];
  return typeof g === 'string' ? g : experimentMethod[row.experimentId] ?? 'dense';
}

export interface ErrorBarPoint { x: number; y: number; err: number; row: number }

/** Accuracy against sparsity, one line per method, points sorted by sparsity, with the std of accuracy. */
export function accuracyBySparsity(rows: CompareRow[], methods: string[]): Record<string, ErrorBarPoint[]> {
  const out: Record<string, ErrorBarPoint[]> = {};
  rows.forEach((r, i) => {
    const acc = r.metrics.testAccuracy;
    const sp = r.metrics.sparsity;
    if (!acc || !sp || acc.n === 0) return;
    (out[methods[i]] ??= []).push({ x: sp.mean, y: acc.mean, err: acc.std ?? 0, row: i });
  });
  for (const k of Object.keys(out)) out[k].sort((a, b) => a.x - b.x);
  return out;
}

/** Points of accuracy against a cost metric, split into the Pareto front (by the server's indices) and the rest. */
export function costPoints(rows: CompareRow[], cost: string, front: number[]):
    { front: [number, number, number][]; rest: [number, number, number][] } {
  const onFront = new Set(front);
  const all = rows.map((r, i) => [r.metrics[cost]?.mean, r.metrics.testAccuracy?.mean, i] as [number, number, number])
    .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  return {
    front: front.map((i) => all.find((p) => p[2] === i)).filter((p): p is [number, number, number] => !!p),
    rest: all.filter((p) => !onFront.has(p[2])),
  };
}

/** Rows sorted by a metric's mean (or by label), missing values last. */
export function sortRows(rows: CompareRow[], key: string, descending: boolean): number[] {
  const idx = rows.map((_, i) => i);
  const val = (i: number): number | string => key === 'label' ? label(rows[i]) : rows[i].metrics[key]?.mean ?? NaN;
  return idx.sort((a, b) => {
    const va = val(a);
    const vb = val(b);
    if (typeof va === 'number' && typeof vb === 'number') {
      if (Number.isNaN(va)) return Number.isNaN(vb) ? 0 : 1;
      if (Number.isNaN(vb)) return -1;
      return descending ? vb - va : va - vb;
    }
    return descending ? String(vb).localeCompare(String(va)) : String(va).localeCompare(String(vb));
  });
}

/** "sparsity.method=rigl, sparsity.target=0.9" or the experiment's name without a grid. */
export function label(row: CompareRow): string {
  const g = Object.entries(row.gridPoint ?? {}).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ');
  return g ? `${row.experimentName}: ${g}` : row.experimentName;
}

/** "0.874 ± 0.004" (mean ± std), "—" when missing. */
export function meanStd(s: { mean: number; std: number; n: number } | undefined, digits = 3): string {
  if (!s || s.n === 0 || !Number.isFinite(s.mean)) return '—';
  return s.n > 1 ? `${s.mean.toFixed(digits)} ± ${s.std.toFixed(digits)}` : s.mean.toFixed(digits);
}

/** The page and its state, from a location hash such as "#/runs?status=RUNNING". */
/**
 * A search's chart data: with two objectives, each completed trial as [objective 1, objective 2, trial] split into the
 * Pareto set (ordered along the first objective) and the rest; with one, each completed trial's value and the best so
 * far by trial number.
 */
export function searchPoints(r: SearchReport):
  { front: [number, number, number][]; rest: [number, number, number][]; best: [number, number][] } {
  const [a, b] = r.objectives;
  const done = r.trials.filter((t) => t.status === 'SUCCEEDED' && a.metric in t.objectives
    && (!b || b.metric in t.objectives));
  const point = (t: SearchTrial): [number, number, number] =>
    [t.objectives[a.metric], b ? t.objectives[b.metric] : t.objectives[a.metric], t.trial];
  const front = r.front.map((n) => r.trials[n]).filter((t) => t !== undefined).map(point)
    .sort((x, y) => x[0] - y[0]);
  const rest = done.filter((t) => !t.onFront).map(point);
  const best: [number, number][] = [];
  let cur: number | undefined;
  for (const t of done) {
    const v = t.objectives[a.metric];
    cur = cur === undefined ? v : a.mode === 'min' ? Math.min(cur, v) : Math.max(cur, v);
    best.push([t.trial, cur]);
  }
  return { front, rest, best };
}

export interface Route { page: string; id?: string; params: URLSearchParams }

export function parseRoute(hash: string): Route {
  const h = hash.replace(/^#\/?/, '');
  const [path, query = ''] = h.split('?');
  const [page, id] = path.split('/');
  return { page: page || 'runs', id: id || undefined, params: new URLSearchParams(query) };
}

export function routeHash(page: string, id: string | undefined, params: URLSearchParams): string {
  const q = params.toString();
  return `#/${page}${id ? `/${id}` : ''}${q ? `?${q}` : ''}`;
}
