/**
 * Doc blocks as files: every ```ts and ```tsx block of README.md and docs/*.md becomes one module.
 * A block may need names it does not define (a handler, the app under test): an HTML comment
 * right above the fence, `<!-- doc-prelude: declare const handler: ... -->`, is put before it
 * (invisible on GitHub and npm). Nothing else is added, so a block that compiles here compiles
 * when pasted into an app that has those names.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DocBlock {
  /** `README.md:35`: the markdown file and the line of the opening fence. */
  where: string;
  /** Generated file name, e.g. `README.md-35.ts`. */
  file: string;
  /** The module text: prelude, then the block. */
  text: string;
  /** Lines before the block's first line in `text`. */
  offset: number;
}

const FENCE = /^```(ts|tsx)\s*$/;
const PRELUDE = /^<!--\s*doc-prelude:([\s\S]*?)-->\s*$/;

/** The markdown files whose blocks are checked, relative to the repository root. */
export function docFiles(root: string): string[] {
  const docs = readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md'));
  return ['README.md', ...docs.sort().map((name) => `docs/${name}`)];
}

/** Every TypeScript block of one markdown file. */
export function extractBlocks(name: string, markdown: string): DocBlock[] {
  const lines = markdown.split('\n');
  const blocks: DocBlock[] = [];
  for (let index = 0; index < lines.length; index++) {
    const fence = FENCE.exec(lines[index] ?? '');
    if (!fence) continue;
    const end = lines.findIndex((line, at) => at > index && line.startsWith('```'));
    if (end === -1) throw new Error(`${name}:${index + 1}: unclosed code block`);
    const prelude = PRELUDE.exec(lines[index - 1] ?? '')?.[1]?.trim() ?? '';
    const header = [`// ${name}:${index + 1}`, prelude];
    const body = lines.slice(index + 1, end);
    blocks.push({
      where: `${name}:${index + 1}`,
      file: `${name.replaceAll('/', '-')}-${index + 1}.${fence[1]}`,
      text: `${[...header, ...body].join('\n')}\nexport {};\n`,
      offset: header.length,
    });
    index = end;
  }
  return blocks;
}

/** All blocks of the repository's docs. */
export function allBlocks(root: string): DocBlock[] {
  return docFiles(root).flatMap((name) => extractBlocks(name, readFileSync(join(root, name), 'utf8')));
}
