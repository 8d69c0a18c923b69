// The real `plan33` CLI in a child process, against a server, as an operator or agent runs it.
import { spawn } from 'node:child_process';
import { projectRoot } from '../../dev/binaries.mjs';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `plan33 ...` against the Temporal server at `address` and, for tasks and reports, the database at `databaseUrl`. */
export function plan33(args: string[], address: string, databaseUrl?: string, timeoutMs = 30_000): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['cli/bin/plan33.mjs', ...args], { cwd: projectRoot, env: { ...process.env, TEMPORAL_ADDRESS: address, LOG_LEVEL: 'warn', ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
