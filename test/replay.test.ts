// Determinism guard: every committed history replays against today's workflow code. A change
// that would break running customer-years fails here (see docs/plan.md, "Changing the workflow").
// The guard itself is tested: the same workflow with its patches unguarded fails to replay a
// history recorded before them, and every patch the workflow uses is in the registry. The
// `own-segment` history (a daily refresh in a running year) is checked both ways.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { defaultPayloadConverter } from '@temporalio/common';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { projectRoot } from '../dev/binaries.mjs';
import { buildWorkflowBundle, withoutSourcesContent } from '../worker/bundle';
import { PATCHES } from '../workflows/patches';
import { installTestRuntime, workflowBundle } from './helpers/temporal';

const dir = join(projectRoot, 'test', 'histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
const history = (f: string) => historyFromJSON(JSON.parse(readFileSync(join(dir, f), 'utf8')));

describe('replay of committed histories', () => {
  it('has histories to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(2);
  });

  it('replays every one without a determinism error', async () => {
    installTestRuntime();
    const histories = files.map((f) => ({ workflowId: f, history: history(f) }));
    const results = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle: workflowBundle() }, histories)) results.push(result);
    expect(results.map((r) => [r.workflowId, r.error?.message])).toEqual(files.map((f) => [f, undefined]));
  });

  it('fails replay when the patches lose their guards (a year and a lead recorded before them)', async () => {
    installTestRuntime();
    const unguarded = await buildWorkflowBundle({ replace: [{ request: /^\.\/patches$/, file: join(projectRoot, 'test', 'fixtures', 'unguarded-patches.ts') }] });
    const err = await Worker.runReplayHistory({ workflowBundle: unguarded }, history('year-advocate-switch.json'), 'year-advocate-switch').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DeterminismViolationError);
    // The lead's road too: recorded before lead-light, it replays only behind the patch.
    const leadErr = await Worker.runReplayHistory({ workflowBundle: unguarded }, history('lead-road.json'), 'lead-road').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(leadErr).toBeInstanceOf(DeterminismViolationError);
  });
});

describe("a year's segment across the daily refresh (patch own-segment, issue 24)", () => {
  const withPatches = (fixture: string) => buildWorkflowBundle({ replace: [{ request: /^\.\/patches$/, file: join(projectRoot, 'test', 'fixtures', fixture) }] });
  const replay = (bundle: Parameters<typeof Worker.runReplayHistory>[0]['workflowBundle'], f: string) =>
    Worker.runReplayHistory({ workflowBundle: bundle }, history(f), f).then(
      () => undefined,
      (e: unknown) => e,
    );
  const events = (f: string) => history(f).events ?? [];

  it('replays the recorded refresh: the class came as a field of its own, the segment stayed', async () => {
    installTestRuntime();
    const recorded = events('year-own-segment.json');
    const signal = recorded.map((e) => e.workflowExecutionSignaledEventAttributes).find((a) => a?.signalName === 'segmentChanged');
    expect(defaultPayloadConverter.fromPayload(signal!.input!.payloads![0]!)).toMatchObject({ valueClass: 'vip' });
    const patches = recorded.map((e) => e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0]).filter((p) => p !== undefined);
    expect(patches.map((p) => (defaultPayloadConverter.fromPayload(p) as { id: string }).id)).toContain('own-segment');
    const upserted = recorded.flatMap((e) => Object.keys(e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}));
    expect(upserted).toEqual(expect.arrayContaining(['ValueClass', 'CustomerSegment']));
    expect(await replay(workflowBundle(), 'year-own-segment.json')).toBeUndefined();
  });

  it('fails replay without the guard (a year whose segment the refresh replaced), and without the new path (the new history)', async () => {
    installTestRuntime();
    // year-nps-segment.json was recorded before: the refresh's `vip` replaced the segment there.
    expect(await replay(await withPatches('own-segment-unguarded.ts'), 'year-nps-segment.json')).toBeInstanceOf(DeterminismViolationError);
    expect(await replay(await withPatches('own-segment-absent.ts'), 'year-own-segment.json')).toBeInstanceOf(DeterminismViolationError);
  });
});

describe('the bundle the workers load (worker/bundle.ts)', () => {
  it("keeps the source map's mappings and sources but not the sources' text", () => {
    const code = readFileSync(inject('workflowBundlePath'), 'utf8');
    const at = code.lastIndexOf('//# sourceMappingURL=data:');
    expect(at).toBeGreaterThan(0);
    const map = JSON.parse(Buffer.from(code.slice(code.indexOf(',', at) + 1), 'base64').toString('utf8')) as { sources: string[]; mappings: string; sourcesContent?: unknown };
    expect(map.sourcesContent).toBeUndefined();
    expect(map.sources.some((s) => s.endsWith('workflows/customer-year.ts'))).toBe(true);
    expect(map.mappings.length).toBeGreaterThan(100_000);
    // A map with the sources' text, as the SDK builds it, keeps what is stripped here.
    const withText = `${code.slice(0, code.indexOf(',', at) + 1)}${Buffer.from(JSON.stringify({ ...map, sourcesContent: map.sources.map(() => 'x') })).toString('base64')}`;
    expect(withoutSourcesContent(withText)).toBe(`${code.trimEnd()}\n`);
  });
});

describe('the patch registry (workflows/patches.ts)', () => {
  const workflowSource = ['customer-year.ts', 'lead.ts'].map((f) => readFileSync(join(projectRoot, 'workflows', f), 'utf8')).join('\n');

  it('lists every patch the workflow uses, and the workflow uses every patch it lists', () => {
    const used = [...workflowSource.matchAll(/\bpatch\('([^']+)'\)/g)].map((m) => m[1]).sort();
    expect(used).toEqual(Object.keys(PATCHES).sort());
    expect(workflowSource).not.toMatch(/\bpatched\(|deprecatePatch\(/); // only through patch(), so the registry decides
  });

  it('names, for each patch, histories that exist, and a next step one plan year after it came', () => {
    for (const [id, info] of Object.entries(PATCHES)) {
      for (const file of info.histories) expect(files, `${id}: ${file}`).toContain(file);
      const [y, m] = info.since.split('-').map(Number);
      const next = new Date(Date.UTC(y!, m! - 1 + 13, 1)).toISOString().slice(0, 7);
      expect(info.nextStepFrom, id).toBe(next);
    }
  });
});
