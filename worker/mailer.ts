// The real SMTP transport from validated config.
import nodemailer, { type TransportOptions } from 'nodemailer';
import type { Config } from '../lib/config';

export function createMailer(smtp: Config['smtp']) {
  return nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    requireTLS: smtp.requireTLS,
    tls: { rejectUnauthorized: smtp.rejectUnauthorized },
    ...(smtp.auth ? { auth: smtp.auth } : {}),
    ...(smtp.pool ? { pool: true as const, maxConnections: 5 } : {}),
  } as TransportOptions);
}
