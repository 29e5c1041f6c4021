import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse, visit } from 'graphql';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { backendModules } from '../src/backends/index.js';

/**
 * A backend is a plugin: everything specific to a kind lives in `src/backends/<kind>/`, and
 * `src/backends/index.ts` registers it with one line. Outside those folders (and generated code and
 * tests), no identifier, string or schema name may spell a kind in any of its forms: the config
 * word (`awsml`), the GraphQL enum value (`AWS_ML`) or the start-input field (`awsMl`). Comments
 * may mention a backend by name; code may not.
 */

const ROOT = join(import.meta.dirname, '..');
const words = (text: string): string[] => text.split(/[^A-Za-z0-9_]+/).map((word) => word.replace(/_/g, '').toLowerCase());
const FORBIDDEN = [...new Set(backendModules.flatMap((module) => [module.kind, module.graphql.kind, module.graphql.inputField]).flatMap(words))];

/** The identifiers, strings and template text of one TypeScript file (comments skipped) that spell a kind. */
export function kindWordsInCode(source: string, forbidden: readonly string[] = FORBIDDEN): string[] {
  const found: string[] = [];
  const walk = (node: ts.Node): void => {
    if (ts.isIdentifier(node) || ts.isPrivateIdentifier(node) || ts.isStringLiteralLike(node) || ts.isTemplateLiteralToken(node)) {
      const text = ts.isIdentifier(node) || ts.isPrivateIdentifier(node) ? node.text : (node as ts.LiteralLikeNode).text;
      if (words(text).some((word) => forbidden.some((kind) => word.includes(kind)))) found.push(text);
    }
    ts.forEachChild(node, walk);
  };
  walk(ts.createSourceFile('file.ts', source, ts.ScriptTarget.Latest, true));
  return found;
}

/** Type, field, argument and value names of an SDL file (descriptions are prose). */
function kindWordsInSdl(source: string): string[] {
  const found: string[] = [];
  visit(parse(source), {
    Name: (node) => {
      if (words(node.value).some((word) => FORBIDDEN.some((kind) => word.includes(kind)))) found.push(node.value);
    },
  });
  return found;
}

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

// Backend folders (the template's `schema.graphql` marks one), registered or not yet; shared folders under src/backends are checked.
const BACKENDS = join(ROOT, 'src', 'backends');
const kindFolders = readdirSync(BACKENDS, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(BACKENDS, entry.name, 'schema.graphql')))
  .map((entry) => join(BACKENDS, entry.name));
const REGISTRY = join(BACKENDS, 'index.ts');

/** The registry minus its registration lines: importing a kind's module and listing it. */
function registryWithoutRegistrations(source: string): string {
  return source
    .split('\n')
    .filter((line) => !/^import \{ \w+ \} from '\.\/[a-z0-9-]+\/index\.js';$/.test(line))
    .map((line) => (line.startsWith('export const backendModules = [') ? line.replace(/\[[^\]]*\]/, '[]') : line))
    .join('\n');
}

describe('the backend plugin seam', () => {
  it('finds a kind spelled in code, which is what the check below relies on', () => {
    expect(kindWordsInCode(`// ${backendModules[0].kind} in a comment is prose\nconst x = 'a';`)).toEqual([]);
    for (const module of backendModules) {
      expect(kindWordsInCode(`const kind = '${module.kind}';`)).toEqual([module.kind]);
      expect(kindWordsInCode(`const t = \`\${a}-${module.graphql.kind}\`;`)).toEqual([`-${module.graphql.kind}`]);
      expect(kindWordsInCode(`function is${module.graphql.inputField}Input() {}`)).toHaveLength(1);
    }
  });

  it('has no source file outside a backend folder name a kind', () => {
    const sources = filesUnder(join(ROOT, 'src')).filter(
      (file) =>
        !kindFolders.some((folder) => file.startsWith(folder + '/')) &&
        !file.startsWith(join(ROOT, 'src', 'generated') + '/') &&
        !file.endsWith('.test.ts'),
    );
    const findings: string[] = [];
    for (const file of sources) {
      const text = readFileSync(file, 'utf8');
      const code = file === REGISTRY ? registryWithoutRegistrations(text) : text;
      const found = file.endsWith('.ts')
        ? kindWordsInCode(code)
        : /\.(html|css|js|json)$/.test(file)
          ? words(code).filter((word) => FORBIDDEN.some((kind) => word.includes(kind)))
          : [];
      for (const word of found) findings.push(`${relative(ROOT, file)}: ${word}`);
    }
    for (const file of filesUnder(join(ROOT, 'schema'))) {
      for (const name of kindWordsInSdl(readFileSync(file, 'utf8'))) findings.push(`${relative(ROOT, file)}: ${name}`);
    }
    expect(findings).toEqual([]);
  });

  it('registers each kind with one import and one list entry', () => {
    const lines = readFileSync(REGISTRY, 'utf8').split('\n');
    for (const module of backendModules) {
      expect(lines.filter((line) => line.includes(`./${module.kind}/`))).toHaveLength(1);
    }
  });
});
