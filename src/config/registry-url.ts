import { InputError } from '../domain/errors';

/**
 * A schema registry's base URL, http(s)://HOST[:PORT][/PATH] (a path for registries that serve the
 * Confluent-compatible API below one, e.g. Apicurio's /apis/ccompat/v7): requests go to PATH/subjects/...
 * only; a query, fragment, credentials, or a path with '.', '..' or percent-encoded segments is refused.
 */
export function registryBaseUrl(url: string): URL {
  const bad = (why: string): never => {
    throw new InputError('schemaRegistry', `must be a base URL http(s)://HOST[:PORT][/PATH] (${why}), got ${JSON.stringify(url)}`);
  };
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return bad('not a URL');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') bad('http or https only');
  if (u.username || u.password) bad('no credentials in it');
  if (u.search || u.hash || /[?#]/.test(url)) bad('no query or fragment');
  const raw = url.slice(url.indexOf('//') + 2);
  const rawPath = raw.includes('/') ? raw.slice(raw.indexOf('/')) : '/';
  if (/%|\\/.test(rawPath) || rawPath.split('/').some((s) => s === '.' || s === '..')) bad("no '.', '..' or encoded path segments");
  return u;
}

/** Where a registry's subjects live: the base URL's origin and path, without a trailing slash. */
export function registrySubjectsUrl(url: string): string {
  const u = registryBaseUrl(url);
  return `${u.origin}${u.pathname.replace(/\/+$/, '')}/subjects`;
}
