// Settings come only from the environment (secrets included), checked once at start.
import path from 'node:path';
import { BridgeError } from './errors.ts';

export interface Config {
  /** PostgreSQL server URL; when absent the embedded database in `dataDir` is used. */
  databaseUrl: string | undefined;
  dataDir: string;
  host: string;
  port: number;
  logLevel: string;
  /** Requests a client may make per minute before 429 (BRIDGE_RATE_LIMIT_PER_MINUTE, default 300). */
  rateLimitPerMinute: number;
  /** How many processes `serve` runs (BRIDGE_PROCESSES, default 1; `--processes` overrides). */
  processes: number;
}

/** A count of serving processes, from `--processes` or BRIDGE_PROCESSES (named in the error). */
export function processCount(value: string, name: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 64) {
    throw new BridgeError('CONFIG_INVALID', `${name} must be a whole number from 1 to 64, got "${value}"`);
  }
  return n;
}

const LOG_LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = env.PORT === undefined || env.PORT === '' ? 8080 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new BridgeError('CONFIG_INVALID', `PORT must be a port number (0-65535), got "${env.PORT}"`);
  }
  const logLevel = env.BRIDGE_LOG_LEVEL || 'info';
  if (!LOG_LEVELS.has(logLevel)) {
    throw new BridgeError(
      'CONFIG_INVALID',
      `BRIDGE_LOG_LEVEL must be one of ${[...LOG_LEVELS].join(', ')}, got "${logLevel}"`,
    );
  }
  const rate = env.BRIDGE_RATE_LIMIT_PER_MINUTE ? Number(env.BRIDGE_RATE_LIMIT_PER_MINUTE) : 300;
  if (!Number.isInteger(rate) || rate < 1) {
    throw new BridgeError(
      'CONFIG_INVALID',
      `BRIDGE_RATE_LIMIT_PER_MINUTE must be a positive whole number, got "${env.BRIDGE_RATE_LIMIT_PER_MINUTE}"`,
    );
  }
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new BridgeError('CONFIG_INVALID', 'DATABASE_URL must start with postgres:// or postgresql://');
  }
  return {
    databaseUrl,
    dataDir: path.resolve(env.BRIDGE_DATA_DIR || 'data'),
    host: env.HOST || '127.0.0.1',
    port,
    logLevel,
    rateLimitPerMinute: rate,
    processes: env.BRIDGE_PROCESSES ? processCount(env.BRIDGE_PROCESSES, 'BRIDGE_PROCESSES') : 1,
  };
}
