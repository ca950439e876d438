// Every relative link in every markdown file a tarball ships must resolve inside that tarball: a README on
// npm (or in node_modules) has no repository around it. Links to web pages (`https:`, `mailto:`) and to
// anchors of the same page are left alone.
import { execFileSync } from 'node:child_process';
import { posix } from 'node:path';

const run = (args) => execFileSync('tar', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });

/** The link targets of a markdown text, outside code blocks and code spans, with their line numbers. */
export function markdownLinks(text) {
  const links = [];
  let fenced = false;
  text.split('\n').forEach((line, index) => {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    if (fenced) return;
    const prose = line.replace(/`[^`]*`/g, '');
    for (const match of prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      links.push({ target: match[1], line: index + 1 });
    }
    const reference = /^\s*\[[^\]]+\]:\s*<?(\S+?)>?(\s|$)/.exec(prose);
    if (reference) links.push({ target: reference[1], line: index + 1 });
    for (const match of prose.matchAll(/\b(?:href|src)="([^"]+)"/g)) {
      links.push({ target: match[1], line: index + 1 });
    }
  });
  return links;
}

/**
 * Checks the markdown files in `tarball` (of package `name`) and appends a line per broken link to
 * `problems`; returns the number of links checked.
 */
export function checkTarballLinks(name, tarball, problems) {
  const files = run(['-tzf', tarball])
    .trim()
    .split('\n')
    .map((path) => path.replace(/^package\//, ''));
  const present = new Set(files);
  const isDirectory = (path) => files.some((file) => file.startsWith(`${path.replace(/\/$/, '')}/`));
  let checked = 0;
  for (const file of files.filter((path) => path.endsWith('.md'))) {
    const text = run(['-xzOf', tarball, `package/${file}`]);
    for (const { target, line } of markdownLinks(text)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) continue;
      checked++;
      const path = decodeURIComponent(target.split('#')[0] ?? '');
      const resolved = posix.normalize(posix.join(posix.dirname(file), path));
      if (resolved.startsWith('..') || (!present.has(resolved) && !isDirectory(resolved))) {
        problems.push(
          `${name}: ${file}:${line} links to ${target}, which is not in the tarball ` +
            '(ship it in "files", or name it in prose: an npm package, or a page of the repository)',
        );
      }
    }
  }
  return checked;
}
