import pino, { type Logger } from 'pino';
import type { Config } from './config.js';

/** Structured JSON logs (pino) for every process; `service` tells api and worker lines apart. */
export function createLogger(config: Pick<Config, 'logLevel'>, service: string): Logger {
  return pino({ level: config.logLevel, base: { service } });
}
