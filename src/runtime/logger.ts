import pino from 'pino';
import { wantsColor } from './color';

/**
 * JSON logs on stderr; human-readable when stderr is a terminal (or
 * WRAPPED_ETL_LOG_PRETTY=1), coloured as wantsColor says (NO_COLOR, FORCE_COLOR).
 * Level from LOG_LEVEL (default info).
 */
function createLogger(): pino.Logger {
  const level = process.env.LOG_LEVEL ?? 'info';
  const pretty = process.env.WRAPPED_ETL_LOG_PRETTY ? process.env.WRAPPED_ETL_LOG_PRETTY === '1' : process.stderr.isTTY === true;
  if (pretty) {
    const prettyStream = require('pino-pretty')({
      destination: 2,
      colorize: wantsColor(process.stderr),
      ignore: 'pid,hostname,service',
      translateTime: 'SYS:HH:MM:ss',
      singleLine: true,
    });
    return pino({ level, base: { service: 'wrapped-etl' } }, prettyStream);
  }
  return pino({ level, base: { service: 'wrapped-etl' } }, pino.destination(2));
}

export const logger = createLogger();
