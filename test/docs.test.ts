// The README and docs/ name files of the repository and link to each other; a file that moves
// or is renamed leaves a stale name behind. This reads every backticked span and code block of
// README.md and docs/*.md, and checks that each repository path in them exists, and that every
// relative Markdown link (and its #anchor) resolves.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../dev/binaries.mjs';

/** Made at run time or by a build: named in the docs, never in the repository. */
const RUN_TIME = new Set(['.plan33', 'node_modules', 'dist', '.git']);

/** The repository's top-level folders and files: a name starting with one of them is a path. */
const topLevel = readdirSync(projectRoot).filter((name) => !RUN_TIME.has(name));

/** Every file name of the repository, for names given without their folder. */
const repoFileNames = fileNames();

interface Finding {
  file: string;
  line: number;
  problem: string;
}

/** Backticked spans and fenced code blocks, each with the line it starts on. */
function codeSpans(text: string): { code: string; line: number }[] {
  const spans: { code: string; line: number }[] = [];
  let fence: string[] | undefined;
  let fenceLine = 0;
  text.split('\n').forEach((line, index) => {
    if (line.trimStart().startsWith('```')) {
      if (fence) spans.push({ code: fence.join('\n'), line: fenceLine });
      fence = fence ? undefined : [];
      fenceLine = index + 2;
      return;
    }
    if (fence) return void fence.push(line);
    for (const match of line.matchAll(/`([^`]+)`/g)) spans.push({ code: match[1]!, line: index + 1 });
  });
  return spans;
}

/** The words of a code span that name a repository path; globs and `<placeholders>` are left out. */
function repositoryPaths(code: string, roots: readonly string[] = topLevel): string[] {
  return code
    .split(/[\s,;|=]+/)
    .map((word) => word.replace(/^[@("'([]+/, '').replace(/[)"'.,:;\]]+$/, '').replace(/:\d+$/, ''))
    .filter((word) => roots.some((root) => word === root || word.startsWith(`${root}/`)))
    .filter((word) => !/[*?{}<>[\]$]|YYYY/.test(word));
}

/** Every file name in the repository (outside what is made at run time). */
function fileNames(dir = projectRoot, names = new Set<string>()): Set<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (RUN_TIME.has(entry.name)) continue;
    if (entry.isDirectory()) fileNames(join(dir, entry.name), names);
    else names.add(entry.name);
  }
  return names;
}

/** TypeScript files named without their folder (`year-state.ts` in the table of plan/): each must be somewhere. */
function bareSourceNames(code: string): string[] {
  return code
    .split(/[\s,;|=()]+/)
    .map((word) => word.replace(/[.,:;]+$/, ''))
    .filter((word) => /^[\w-]+(\.[\w-]+)*\.ts$/.test(word) && !word.includes('/'));
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  let fence = false;
  for (const line of text.split('\n')) {
    if (line.trimStart().startsWith('```')) fence = !fence;
    const heading = !fence && /^#{1,6} (.+)$/.exec(line);
    if (!heading) continue;
    const base = slug(heading[1]!);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    result.add(count === 0 ? base : `${base}-${count}`);
  }
  return result;
}

/** What is wrong with one Markdown file: repository paths that do not exist, links that do not resolve. */
function checkMarkdown(file: string, text: string, root = projectRoot, roots: readonly string[] = topLevel, names = repoFileNames): Finding[] {
  const findings: Finding[] = [];
  const name = relative(root, file);
  for (const { code, line } of codeSpans(text)) {
    for (const path of repositoryPaths(code, roots)) {
      if (!existsSync(join(root, path))) findings.push({ file: name, line, problem: `names ${path}, which does not exist` });
    }
    for (const bare of bareSourceNames(code)) {
      if (!names.has(bare)) findings.push({ file: name, line, problem: `names ${bare}, which is no file of the repository` });
    }
  }
  const prose = text.replace(/```[\s\S]*?```/g, (block) => block.replace(/[^\n]/g, ' ')).replace(/`[^`\n]+`/g, '``');
  prose.split('\n').forEach((content, index) => {
    for (const match of content.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = match[1]!;
      if (/^[a-z]+:/i.test(target)) continue;
      const [path, anchor] = target.split('#') as [string, string | undefined];
      const linked = path ? join(dirname(file), path) : file;
      const headings = () => anchors(path ? readFileSync(linked, 'utf8') : text);
      const problem = path && !existsSync(linked)
        ? `links to ${target}, which does not exist`
        : anchor !== undefined && linked.endsWith('.md') && !headings().has(anchor)
          ? `links to ${target}, a heading that does not exist`
          : undefined;
      if (problem) findings.push({ file: name, line: index + 1, problem });
    }
  });
  return findings;
}

const markdownFiles = [join(projectRoot, 'README.md'), ...readdirSync(join(projectRoot, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join(projectRoot, 'docs', f))];

describe('the README and docs/', () => {
  it('name only repository paths that exist, and link only to files and headings that exist', () => {
    const findings = markdownFiles.flatMap((file) => checkMarkdown(file, readFileSync(file, 'utf8')));
    expect(findings).toEqual([]);
  });

  it('name many repository paths, so the check above has something to check', () => {
    const named = new Set(markdownFiles.flatMap((file) => codeSpans(readFileSync(file, 'utf8')).flatMap(({ code }) => repositoryPaths(code))));
    expect(named.size).toBeGreaterThan(100);
    for (const path of ['workflows/customer-year.ts', 'plan/year-state.ts', 'test/histories/', 'Dockerfile', '.ci/run']) expect(named).toContain(path);
  });

  it('the check finds a missing path, a broken link and a missing heading, and skips globs, placeholders and run-time files', () => {
    const file = join(projectRoot, 'docs', 'example.md');
    const text = [
      '# Example',
      'The year is `workflows/customer-year.ts`; the rules `workflows/year-state.ts`.',
      '`npx tsx scripts/record-histories.ts <file>.json`, `dist/*.mjs`, `.plan33/data/mail/`, `stores/migrations/<n>.ts`',
      'The table of plan/ names `lead-state.ts` (`lead.ts`) and `lead-states.ts`.',
      'See [the plan](plan.md#the-lead-road-fast), [nowhere](nowhere.md) and [no heading](plan.md#no-such-heading), [here](#example).',
      '```',
      'npx plan33 import --file examples/no-such-file.csv',
      '```',
    ].join('\n');
    expect(checkMarkdown(file, text)).toEqual([
      { file: 'docs/example.md', line: 2, problem: 'names workflows/year-state.ts, which does not exist' },
      { file: 'docs/example.md', line: 4, problem: 'names lead-states.ts, which is no file of the repository' },
      { file: 'docs/example.md', line: 7, problem: 'names examples/no-such-file.csv, which does not exist' },
      { file: 'docs/example.md', line: 5, problem: 'links to nowhere.md, which does not exist' },
      { file: 'docs/example.md', line: 5, problem: 'links to plan.md#no-such-heading, a heading that does not exist' },
    ]);
  });
});
