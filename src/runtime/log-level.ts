const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];
let badLevelSaid = false;

/**
 * LOG_LEVEL when it names a level; unset or empty gives undefined. A level pino does not know
 * is said once on stderr and ignored, so a typo costs the logs, not the command.
 */
export function logLevelFromEnv(): string | undefined {
  const level = process.env.LOG_LEVEL?.trim().toLowerCase();
  if (!level) return undefined;
  if (LEVELS.includes(level)) return level;
  if (!badLevelSaid)
    process.stderr.write(`wrapped-etl: LOG_LEVEL=${process.env.LOG_LEVEL} is not a log level (${LEVELS.join(', ')}): ignored\n`);
  badLevelSaid = true;
  return undefined;
}
