// The layout is enforced, not just drawn: a deliberate import against the dependency direction
// fails lint (eslint.config.js zones), and the same import where it is allowed passes.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../dev/binaries.mjs';

const written: string[] = [];
afterAll(() => {
  for (const file of written) rmSync(file, { force: true });
});

/** Writes a throwaway file into a folder, lints it, returns the no-restricted-imports messages. */
async function restrictedImports(folder: string, code: string): Promise<string[]> {
  const file = join(projectRoot, folder, `zz-zone-check-${process.pid}.ts`);
  written.push(file);
  writeFileSync(file, code);
  const [result] = await new ESLint({ cwd: projectRoot }).lintFiles([file]);
  rmSync(file, { force: true });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('ESLint zones', () => {
  it('production code may not import the local stack (dev/) or the CLI', async () => {
    const worker = await restrictedImports('worker', "import { startSmtpCapture } from '../dev/smtp-capture';\nexport const x = startSmtpCapture;\n");
    expect(worker.join('\n')).toMatch(/worker\/ may not import .*dev/);
    const api = await restrictedImports('api', "import { table } from '../cli/table';\nexport const x = table;\n");
    expect(api.join('\n')).toMatch(/api\/ may not import .*cli/);
  });

  it('the pure rules import nothing above them, and only service/ uses the Temporal client', async () => {
    expect((await restrictedImports('plan', "import { statusQuery } from '../workflows/messages';\nexport const x = statusQuery;\n")).join('\n')).toMatch(/plan\/ may not import/);
    expect((await restrictedImports('api', "import { Connection } from '@temporalio/client';\nexport const x = Connection;\n")).join('\n')).toMatch(/only service\//);
  }, 60_000);

  it('the same imports pass where the layout allows them', async () => {
    expect(await restrictedImports('cli', "import { startSmtpCapture } from '../dev/smtp-capture';\nexport const x = startSmtpCapture;\n")).toEqual([]);
    expect(await restrictedImports('service', "import { Connection } from '@temporalio/client';\nexport const x = Connection;\n")).toEqual([]);
  }, 60_000);
});
