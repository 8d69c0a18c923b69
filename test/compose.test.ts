// docker-compose.yml cannot run here (no Docker engine); this checks what can be checked:
// it parses as YAML, has the production services wired together, and the worker's
// environment is made only of variables plan33's config knows.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../dev/binaries.mjs';
import { CONFIG_VARIABLES, loadConfig } from '../lib/config';
import { ENTRIES } from '../scripts/build.mjs';

const text = readFileSync(join(projectRoot, 'docker-compose.yml'), 'utf8');

describe('docker-compose.yml', () => {
  it('is valid YAML without duplicate keys', () => {
    const doc = parseDocument(text, { uniqueKeys: true });
    expect(doc.errors).toEqual([]);
  });

  const compose = parse(text) as { services: Record<string, any>; volumes: Record<string, unknown> };

  it('runs PostgreSQL, Temporal on it, Temporal UI, the worker and the API', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'postgresql', 'temporal', 'temporal-ui', 'worker']);
    // Both run the compiled entries the image builds (scripts/build.mjs), never TypeScript.
    expect(compose.services.api.command).toEqual(['node', '--enable-source-maps', 'dist/api.mjs']);
    const dockerfile = readFileSync(join(projectRoot, compose.services.worker.build.dockerfile), 'utf8');
    expect(dockerfile).toContain('RUN node scripts/build.mjs');
    expect(dockerfile).toContain('CMD ["node", "--enable-source-maps", "dist/worker.mjs"]');
    expect(ENTRIES).toMatchObject({ api: 'api/main.ts', worker: 'worker/main.ts' });
    const { temporal, postgresql, worker } = compose.services;
    expect(temporal.environment.DB).toBe('postgres12');
    expect(temporal.environment.POSTGRES_SEEDS).toBe('postgresql');
    expect(temporal.depends_on.postgresql.condition).toBe('service_healthy');
    expect(postgresql.volumes[0]).toMatch(/^postgresql-data:/);
    expect(compose.services['temporal-ui'].environment.TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(worker.environment.TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(worker.depends_on.temporal.condition).toBe('service_healthy');
    expect(existsSync(join(projectRoot, worker.build.dockerfile))).toBe(true);
    expect(Object.keys(compose.services).length).toBeGreaterThan(0);
    let volumes = 0;
    for (const service of Object.values(compose.services)) {
      for (const volume of (service.volumes ?? []) as string[]) {
        volumes++;
        const source = volume.split(':')[0]!;
        // A file of the checkout mounted in (PostgreSQL's init script), or a named volume.
        if (source.startsWith('./')) expect(existsSync(join(projectRoot, source)), source).toBe(true);
        else expect(Object.keys(compose.volumes)).toContain(source);
      }
    }
    expect(volumes).toBeGreaterThan(0);
    // plan33's own database on the same PostgreSQL, reached by URL; nothing on a host's disk.
    for (const name of ['worker', 'api']) {
      expect(compose.services[name].environment.DATABASE_URL).toMatch(/^postgres:\/\/plan33:.*@postgresql:5432\/plan33$/);
      expect(compose.services[name].depends_on.postgresql.condition).toBe('service_healthy');
      expect(compose.services[name].volumes).toBeUndefined();
    }
    expect(postgresql.environment.PLAN33_DB_PASSWORD).toBeDefined();
  });

  it('runs the compiled API, which names a bad setting and exits; its source map leads back to the TypeScript', () => {
    const run = spawnSync(process.execPath, ['--enable-source-maps', join(projectRoot, 'dist', 'api.mjs')], { env: { PATH: process.env.PATH, PLAN33_API_PORT: 'eighty' }, encoding: 'utf8', timeout: 60_000 });
    expect(run.status).not.toBe(0);
    expect(run.stderr + run.stdout).toContain('PLAN33_API_PORT');
    const map = JSON.parse(readFileSync(join(projectRoot, 'dist', 'api.mjs.map'), 'utf8')) as { sources: string[] };
    expect(map.sources.some((s) => s.endsWith('api/main.ts'))).toBe(true);
    // And the compiled CLI, which `npx plan33` runs when it is up to date.
    const cli = spawnSync(process.execPath, [join(projectRoot, 'dist', 'cli.mjs'), 'enroll', '--help'], { encoding: 'utf8', timeout: 60_000 });
    expect(cli.status, cli.stderr).toBe(0);
    expect(cli.stdout).toContain('Usage: plan33 enroll');
  });

  it.each(['worker', 'api'])("gives the %s only variables plan33's config reads, and they parse", (service) => {
    const env = compose.services[service].environment as Record<string, string>;
    expect(Object.keys(env).length).toBeGreaterThan(0);
    for (const name of Object.keys(env)) expect(CONFIG_VARIABLES).toContain(name);
    // Fill the ${VAR:?...} / ${VAR:-default} placeholders as compose would, then validate.
    const filled = Object.fromEntries(
      Object.entries(env).map(([k, v]) => [k, String(v).replace(/\$\{(\w+):[?-]([^}]*)\}/g, (_, name: string, rest: string) => (name === 'REFERRAL_URL' || name === 'PUBLIC_BASE_URL' ? 'https://cedar.example/refer' : name.endsWith('SECRET') || name.endsWith('API_KEY') ? 'a-long-enough-secret-value' : name.startsWith('SMTP_USER') || name === 'SMTP_PASS' ? '' : rest.startsWith('set') ? 'x' : rest))]),
    );
    expect(() => loadConfig(filled)).not.toThrow();
  });
});
