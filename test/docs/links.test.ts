/**
 * Every relative link in the README and docs/ resolves: the file exists and, for a Markdown target,
 * the #anchor is one of its headings as GitHub renders them (lower-case, punctuation dropped,
 * spaces to dashes, -1/-2 for repeats).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { documentationFiles, proseLines, ROOT as root } from '../support/markdown';

function githubAnchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const [, line] of proseLines(text)) {
    const m = /^#{1,6} (.*)$/.exec(line);
    if (!m) continue;
    const slug = m[1]
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}_\- ]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return anchors;
}

interface Link {
  file: string;
  line: number;
  target: string;
}

function relativeLinks(file: string): Link[] {
  const links: Link[] = [];
  for (const [line, text] of proseLines(readFileSync(file, 'utf8'))) {
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1];
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
      links.push({ file, line, target });
    }
  }
  return links;
}

describe('documentation links', () => {
  const files = documentationFiles();
  const links = files.flatMap(relativeLinks);

  it('finds the README and the docs pages it links', () => {
    expect(files.map((f) => relative(root, f))).toEqual(expect.arrayContaining(['README.md', 'docs/cli.md', 'docs/gates/cost.md', 'docs/rules.md']));
    expect(links.length).toBeGreaterThan(50);
  });

  it('every relative link and anchor resolves', () => {
    const broken: string[] = [];
    for (const { file, line, target } of links) {
      const [path, anchor] = target.split('#', 2);
      const to = path === '' ? file : resolve(dirname(file), decodeURI(path));
      const where = `${relative(root, file)}:${line}: ${target}`;
      if (!existsSync(to)) {
        broken.push(`${where} (no such file)`);
        continue;
      }
      if (anchor && to.endsWith('.md') && !githubAnchors(readFileSync(to, 'utf8')).has(anchor)) broken.push(`${where} (no such heading)`);
    }
    expect(broken).toEqual([]);
  });

  it('the README links every docs page at least once (directly or through another page)', () => {
    const reached = new Set<string>([join(root, 'README.md')]);
    const queue = [join(root, 'README.md')];
    while (queue.length > 0) {
      const file = queue.shift()!;
      for (const { target } of relativeLinks(file)) {
        const path = target.split('#')[0];
        if (!path.endsWith('.md')) continue;
        const to = resolve(dirname(file), path);
        if (!reached.has(to) && existsSync(to)) {
          reached.add(to);
          queue.push(to);
        }
      }
    }
    expect(files.filter((f) => !reached.has(f)).map((f) => relative(root, f))).toEqual([]);
  });
});
