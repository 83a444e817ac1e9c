/** The logged-in user, loaded once per page load (and after login). */
import { getJson, type Me } from './api';

let me: Me | null = null;

export async function loadMe(): Promise<Me | null> {
  try {
    me = await getJson<Me>('/api/v1/auth/me');
  } catch {
    me = null;
  }
  return me;
}

export function currentUser(): Me | null {
  return me;
}

/** The projects the user may submit to (member or admin), their own first. */
export function writableProjects(): string[] {
  if (!me) return [];
  const names = me.projects.filter((p) => p.role !== 'viewer').map((p) => p.name);
  return [...names.filter((n) => n === me!.username), ...names.filter((n) => n !== me!.username)];
}
