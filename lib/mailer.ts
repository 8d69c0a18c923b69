// The real SMTP transport from validated config: pooled (SMTP_POOL, SMTP_MAX_CONNECTIONS) and
// with its TLS settings (SMTP_SECURE, SMTP_REQUIRE_TLS, SMTP_REJECT_UNAUTHORIZED, SMTP_TLS_CA).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { rootCertificates, type ConnectionOptions } from 'node:tls';
import nodemailer, { type TransportOptions } from 'nodemailer';
import type { Config } from '../lib/config';

/**
 * The PEM file named by SMTP_TLS_CA, read once at start-up. Throws naming the variable and the
 * path when the file is missing, unreadable or holds no certificate.
 */
function readCaFile(caFile: string): string {
  const path = resolve(caFile);
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`SMTP_TLS_CA: cannot read the CA file ${path}: ${(err as Error).message}`, { cause: err });
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error(`SMTP_TLS_CA: ${path} holds no PEM certificate`);
  return pem;
}

export function createMailer(smtp: Config['smtp']) {
  const tls: ConnectionOptions = { rejectUnauthorized: smtp.rejectUnauthorized };
  // Node's `ca` replaces the default trust store, so the extra CAs go with the bundled roots.
  if (smtp.caFile) tls.ca = [...rootCertificates, readCaFile(smtp.caFile)];
  return nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    requireTLS: smtp.requireTLS,
    tls,
    ...(smtp.auth ? { auth: { user: smtp.auth.user, pass: smtp.auth.pass } } : {}),
    ...(smtp.pool ? { pool: true as const, maxConnections: smtp.maxConnections } : {}),
  } as TransportOptions);
}
