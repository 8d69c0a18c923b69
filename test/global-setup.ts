// Runs once before all test files: builds the workflow bundle a single time and hands its
// path to every file (each file then starts its own server and worker).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { cacheDir } from '../dev/binaries.mjs';
import { buildWorkflowBundle } from '../worker/bundle';

declare module 'vitest' {
  export interface ProvidedContext {
    workflowBundlePath: string;
  }
}

export default async function setup(project: TestProject) {
  const started = Date.now();
  const bundle = await buildWorkflowBundle();
  const dir = join(cacheDir, 'test');
  await mkdir(dir, { recursive: true });
  const codePath = join(dir, `workflow-bundle-${process.pid}.js`);
  await writeFile(codePath, bundle.code);
  project.provide('workflowBundlePath', codePath);
  console.log(`workflow bundle built once in ${Date.now() - started} ms (${(bundle.code.length / 1024).toFixed(0)} KiB)`);
}
