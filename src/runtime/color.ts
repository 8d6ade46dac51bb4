/**
 * Whether to colour what goes to `stream`, by the common conventions (Node's own order):
 * FORCE_COLOR set turns colour on (off when "0" or "false"); else NO_COLOR set and not empty
 * turns it off; else colour only on a terminal that is not TERM=dumb.
 */
export function wantsColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  if (env.NO_COLOR) return false;
  return stream.isTTY === true && env.TERM !== 'dumb';
}
