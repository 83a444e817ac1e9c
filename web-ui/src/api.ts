/** The REST API's payloads, as the UI reads them, and small fetch helpers. */

import type { components } from './api.gen';

/**
 * The REST API's payloads: generated at build time from the OpenAPI document the platform serves (openapi.json →
 * api.gen.ts, openapi-typescript; WebUiIT keeps openapi.json equal to the served one). A JSON value the API types only
 * as "any JSON" (a grid point, a spec) is given its shape here.
 */
type Schemas = components['schemas'];
type Json = Record<string, unknown>;

export type Status = Schemas['Item']['status'];
export const STATUSES: Status[] = ['QUEUED', 'RUNNING', 'EVALUATING', 'SUCCEEDED', 'FAILED', 'CANCELLED'];

export type RunItem = Omit<Schemas['Item'], 'gridPoint' | 'reason' | 'etaSeconds' | 'trainAccuracy' | 'testAccuracy'
  | 'startedAt'> & {
  gridPoint: Json | null; reason?: string | null; etaSeconds?: number | null; trainAccuracy?: number | null;
  testAccuracy?: number | null; startedAt?: string | null;
};

export type Stats = Omit<Schemas['Stats'], 'ci95'> & { ci95?: number[] };
export type CompareRow = Omit<Schemas['Row'], 'metrics'> & { metrics: Record<string, Stats> };
export type Comparison = Omit<Schemas['Comparison'], 'rows'> & { rows: CompareRow[] };

/** GET /api/v1/experiments/{id}/search: a search's trials and Pareto set (trial numbers, best first). */
export type SearchTrial = Omit<Schemas['TrialView'], 'params' | 'reason' | 'status'> & {
  params: Json; reason?: string | null; status: Status;
};
export type SearchReport = Omit<Schemas['Report'], 'trials' | 'type' | 'objectives' | 'space'> & {
  type: 'random' | 'tpe'; objectives: { metric: string; mode: 'max' | 'min' }[]; trials: SearchTrial[];
};

export type Point = Schemas['SeriesPoint'];
export type Series = Schemas['Series'];
export type MetricsView = Schemas['MetricsView'];

export interface FieldProblem { pointer: string; detail: string }
export interface Problem { title?: string; detail?: string; status?: number; errors?: FieldProblem[] }

export type SchedulePoint = Omit<Schemas['Point'], 'updateFraction'> & { updateFraction?: number | null };
export type Preview = Omit<Schemas['Preview'], 'groups'> & {
  groups: (Omit<Schemas['PlannedGroup'], 'gridPoint' | 'plan'> & { gridPoint: Json;
    plan: Omit<Schemas['Plan'], 'points'> & { points: SchedulePoint[] } })[];
};

/** GET /api/v1/catalog (a document of its own, not typed by the OpenAPI document). */
export interface CatalogMethod { name: string; description: string; schema: { properties: Record<string, { default?: unknown; description?: string }> } }
export interface Catalog { methods: CatalogMethod[] }

/** An API error with its problem details. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
  }
}

/** Who is logged in (GET /api/v1/auth/me). */
export type Me = Omit<Schemas['Me'], 'csrfToken' | 'projects'> & {
  csrfToken?: string | null; projects: (Omit<Schemas['ProjectRole'], 'role'> & { role: 'admin' | 'member' | 'viewer' })[];
};

export type TokenInfo = Omit<Schemas['TokenInfo'], 'expiresAt' | 'revokedAt' | 'lastUsedAt'> & {
  expiresAt?: string | null; revokedAt?: string | null; lastUsedAt?: string | null;
};

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
