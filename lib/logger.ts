// Logs are data: pino, object first, PII and secrets redacted. The Temporal runtime (worker,
// core, workflow and activity loggers) is routed into the same pino logger.
import { pino, type Logger as PinoLogger } from 'pino';
import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import { Runtime, makeTelemetryFilterString } from '@temporalio/worker';

/** Fields that carry a person's data or a secret; never written to a log in clear. */
export const REDACT_PATHS = [
  'email', 'phone', 'to', 'address', 'personalDates', 'text', 'html', 'customer.name', '*.customer.name',
  '*.email', '*.phone', '*.to', '*.address', '*.personalDates', '*.text', '*.html',
  'customer.*.email', 'customer.*.phone',
  'password', 'pass', 'apiKey', 'authorization', 'auth',
  '*.password', '*.pass', '*.apiKey', '*.authorization', '*.auth',
  'req.headers.authorization',
];

export type Logger = PinoLogger;

export function createLogger(level: string = 'info', destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: 'plan33' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

const toPino: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** Adapts pino to the Temporal SDK's Logger interface. */
export class TemporalPinoLogger implements TemporalLogger {
  constructor(private readonly target: Logger) {}
  private write(level: LogLevel, message: string, meta?: LogMetadata): void {
    // pino serializes errors (message, stack, cause) only under `err`.
    const { error, ...rest } = meta ?? {};
    this.target[toPino[level]](error instanceof Error ? { ...rest, err: error } : { ...meta }, message);
  }
  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    this.write(level, message, meta);
  }
  trace(message: string, meta?: LogMetadata): void {
    this.write('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.write('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.write('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.write('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.write('ERROR', message, meta);
  }
}

let installed = false;

/**
 * Installs the Temporal runtime once per process with its logs (core's too) forwarded into
 * pino. Must run before any Worker or NativeConnection is created.
 */
export function installTemporalRuntimeLogger(log: Logger): void {
  if (installed) return;
  installed = true;
  const coreLevel = log.level === 'trace' ? 'TRACE' : log.level === 'debug' ? 'DEBUG' : 'WARN';
  Runtime.install({
    logger: new TemporalPinoLogger(log.child({ component: 'temporal' })),
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: coreLevel, other: 'ERROR' }), forward: {} } },
  });
}
