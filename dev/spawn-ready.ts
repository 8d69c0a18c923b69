// A TypeScript file run as a child process (node --import tsx) that says a marker line once it
// is ready: the worker processes the crash test and the chaos suite kill and start again.
import { spawn, type ChildProcess } from 'node:child_process';

export interface ReadyChild {
  child: ChildProcess;
  pid: number;
  /** Resolves once the child printed the marker; rejects if it exits first or takes too long. */
  ready: Promise<void>;
  /** Resolves with the signal (or exit code) once the process is gone. */
  exited: Promise<NodeJS.Signals | number | null>;
  /** What the child printed (stdout and stderr; the last 100-200 KB). */
  output(): string;
}

export function spawnReady(opts: { script: string; cwd: string; env: NodeJS.ProcessEnv; marker: string; name: string; timeoutMs: number }): ReadyChild {
  const child = spawn(process.execPath, ['--import', 'tsx', opts.script], { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: Buffer) => {
    out += d.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<NodeJS.Signals | number | null>((ok) => child.once('exit', (code, signal) => ok(signal ?? code)));
  const ready = new Promise<void>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`${opts.name} not ready within ${opts.timeoutMs} ms:\n${out}`)), opts.timeoutMs);
    const check = () => {
      if (!out.includes(opts.marker)) return;
      clearTimeout(timer);
      child.stdout!.off('data', check);
      ok();
    };
    child.stdout!.on('data', check);
    void exited.then((how) => {
      clearTimeout(timer);
      fail(new Error(`${opts.name} exited (${String(how)}) before it was ready:\n${out}`));
    });
  });
  ready.catch(() => undefined); // the caller awaits it; an exit after the marker is not an error
  return { child, pid: child.pid!, ready, exited, output: () => out };
}
