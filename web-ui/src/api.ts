/** The REST API's payloads, as the UI reads them, and small fetch helpers. */

export type Status = 'QUEUED' | 'RUNNING' | 'EVALUATING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
export const STATUSES: Status[] = ['QUEUED', 'RUNNING', 'EVALUATING', 'SUCCEEDED', 'FAILED', 'CANCELLED'];

export interface RunItem {
  id: string; experimentId: string; experimentName: string; project?: string; owner: string; method: string; target: number;
  seed: number; gridPoint: Record<string, unknown> | null; status: Status; reason?: string | null;
  epoch: number; totalEpochs: number; step: number; totalSteps: number;
  trainAccuracy?: number | null; testAccuracy?: number | null; etaSeconds?: number | null;
  stoppedEarly: boolean; createdAt: string; startedAt?: string | null; updatedAt: string;
}

export interface Stats { n: number; mean: number; std: number; ci95?: number[] }
export interface CompareRow {
  experimentId: string; experimentName: string; gridPoint: Record<string, unknown>; runs: number;
  succeeded: number; failed: number; metrics: Record<string, Stats>;
}
export interface Comparison {
  experiments: { id: string; name: string }[]; rows: CompareRow[];
  pareto: { accuracyVsFlops: number[]; accuracyVsLatency: number[] };
}

/** GET /api/v1/experiments/{id}/search: a search's trials and Pareto set (trial numbers, best first). */
export interface SearchTrial {
  trial: number; runId: string; status: Status; stoppedEarly: boolean; reason?: string | null;
  params: Record<string, unknown>; objectives: Record<string, number>; onFront: boolean;
}
export interface SearchReport {
  experimentId: string; type: 'random' | 'tpe'; budget: number; parallelism: number; seed: number;
  objectives: { metric: string; mode: 'max' | 'min' }[]; open: boolean; proposed: number; completed: number;
  front: number[]; trials: SearchTrial[];
}

export interface Point { step: number; epoch: number; value: number }
export interface Series { name: string; total: number; points: Point[] }
export interface MetricsView { runId: string; series: Series[] }

export interface FieldProblem { pointer: string; detail: string }
export interface Problem { title?: string; detail?: string; status?: number; errors?: FieldProblem[] }

export interface SchedulePoint { step: number; epoch: number; sparsity: number; updateFraction?: number | null }
export interface Preview {
  runs: number;
  groups: { gridPoint: Record<string, unknown>; seeds: number[];
    plan: { trainEpochs: number; totalEpochs: number; stepsPerEpoch: number; totalSteps: number;
      points: SchedulePoint[] } }[];
}

export interface CatalogMethod { name: string; description: string; schema: { properties: Record<string, { default?: unknown; description?: string }> } }
export interface Catalog { methods: CatalogMethod[] }

/** An API error with its problem details. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
  }
}

/** Who is logged in (GET /api/v1/auth/me). */
export interface Me {
  username: string; admin: boolean; via: string; csrfToken?: string | null;
  projects: { id: string; name: string; role: 'admin' | 'member' | 'viewer' }[];
}

export interface TokenInfo {
  id: string; name: string; prefix: string; createdAt: string; expiresAt?: string | null;
  revokedAt?: string | null; lastUsedAt?: string | null;
}

/** The session's CSRF token, from the XSRF-TOKEN cookie the gateway sets; sent back as X-XSRF-TOKEN. */
export function csrfToken(): string {
  const m = document.cookie.match(/(?:^|;\s*)XSRF-TOKEN=([^;]+)/);
  return m ? decodeURIComponent(m[1]) : '';
}

/** Any 401 means the session is over: the app shows the login page. */
function checkSession(res: Response): void {
  if (res.status === 401 && !res.url.endsWith('/api/v1/auth/login')) {
    window.dispatchEvent(new CustomEvent('sparselab:logged-out'));
  }
}

async function answer<T>(res: Response): Promise<{ status: number; body: T }> {
  checkSession(res);
  const body = await res.json().catch(() => ({}));
  if (!res.ok) {
    throw new ApiError(res.status, body as Problem);
  }
  return { status: res.status, body: body as T };
}

export async function getJson<T>(path: string): Promise<T> {
  return (await answer<T>(await fetch(path, { headers: { Accept: 'application/json' } }))).body;
}

/** A state-changing request with the CSRF token; {@code body} is sent as JSON unless it is a string. */
export async function send<T>(method: string, path: string, body?: unknown, type = 'application/json')
  : Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = { Accept: 'application/json', 'X-XSRF-TOKEN': csrfToken() };
  if (body !== undefined) headers['Content-Type'] = type;
  const res = await fetch(path, { method, headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
  return answer<T>(res);
}

export async function postSpec<T>(path: string, text: string): Promise<{ status: number; body: T }> {
  const type = text.trimStart().startsWith('{') ? 'application/json' : 'application/yaml';
  return send<T>('POST', path, text, type);
}
