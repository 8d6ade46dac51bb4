import { InputError } from '../domain/errors';

/**
 * A schema registry's base URL, http(s)://HOST[:PORT] with nothing after it (a trailing / at most):
 * requests go to its /subjects/... only, never to a path, query or fragment a starter names.
 */
export function registryBaseUrl(url: string): URL {
  const bad = (why: string): never => {
    throw new InputError('schemaRegistry', `must be a base URL http(s)://HOST[:PORT] (${why}), got ${JSON.stringify(url)}`);
  };
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return bad('not a URL');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') bad('http or https only');
  if (u.username || u.password) bad('no credentials in it');
  if (u.pathname !== '/' || u.search || u.hash || /[?#]/.test(url)) bad('no path, query or fragment');
  return u;
}
