/**
 * The boundaries of DESIGN.md and STYLE.md ("Layout"), checked against the
 * source tree as it is: every import and re-export of every file under src/
 * (and of the root config files) is read and resolved, and each one that
 * crosses a boundary is reported with the file and the import that did it.
 * Folders that do not exist yet are simply empty. tests/ is not scanned:
 * tests may reach into any folder.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, posix, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'src');
const CODE = /\.(?:ts|tsx|mts|cts|js|jsx|mjs|cjs)$/;
/** Imports of these are assets, not modules: they cross no boundary. */
const ASSET = /\.(?:css|scss|svg|png|jpe?g|gif|webp|woff2?|json|html)(?:\?.*)?$/;

// ---------------------------------------------------------------------------
// Reading imports
// ---------------------------------------------------------------------------

/**
 * Blanks out comments (keeping line breaks so positions stay meaningful).
 * With `blankStrings`, string and template contents are blanked too, leaving
 * only code. Regex literals are recognised by what precedes them.
 */
function stripSource(source: string, blankStrings = false): string {
  let out = '';
  let i = 0;
  let lastSignificant = '';
  const blank = (text: string) => text.replace(/[^\n]/g, ' ');
  while (i < source.length) {
    const ch = source[i]!;
    const next = source[i + 1];
    if (ch === '/' && next === '/') {
      const end = source.indexOf('\n', i);
      const stop = end === -1 ? source.length : end;
      out += blank(source.slice(i, stop));
      i = stop;
      continue;
    }
    if (ch === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end === -1 ? source.length : end + 2;
      out += blank(source.slice(i, stop));
      i = stop;
      continue;
    }
    if (ch === '"' || ch === "'" || ch === '`') {
      let j = i + 1;
      while (j < source.length && source[j] !== ch) {
        if (source[j] === '\\') j++;
        else if (ch !== '`' && source[j] === '\n') break; // unterminated on its line, e.g. an apostrophe in JSX text
        j++;
      }
      const closed = j < source.length && source[j] === ch;
      const literal = source.slice(i, closed ? j + 1 : j);
      out += blankStrings ? ch + blank(literal.slice(1, closed ? -1 : undefined)) + (closed ? ch : '') : literal;
      i = closed ? j + 1 : j;
      lastSignificant = ch;
      continue;
    }
    if (ch === '/' && (lastSignificant === '' || /[(,=:[!&|?{};+\-*%<>~^]/.test(lastSignificant) || /\b(?:return|typeof|case|in|of)\s*$/.test(out.slice(-40)))) {
      // A regex literal: skip it whole so quotes inside it do not open strings.
      let j = i + 1;
      let inClass = false;
      while (j < source.length && source[j] !== '\n') {
        if (source[j] === '\\') j++;
        else if (source[j] === '[') inClass = true;
        else if (source[j] === ']') inClass = false;
        else if (source[j] === '/' && !inClass) break;
        j++;
      }
      const literal = source.slice(i, j + 1);
      out += blankStrings ? blank(literal) : literal;
      i = j + 1;
      lastSignificant = '/';
      continue;
    }
    out += ch;
    if (!/\s/.test(ch)) lastSignificant = ch;
    i++;
  }
  return out;
}

// Matched against the source with comments and string contents blanked (so
// text that merely mentions an import is not one); the specifier is then read
// from the same position of the source with its strings intact.
const STATIC_IMPORT = /(?<![\w$.])(?:import|export)\s+(?:type\s+)?(?:[\w$*{}\s,]*?\s*from\s*)?(['"])([^'"\n]*)\1/dg;
const DYNAMIC_IMPORT = /(?<![\w$.])import\s*\(\s*(['"`])([^'"`\n]*)\1\s*\)/dg;
const REQUIRE = /(?<![\w$.])require\s*\(\s*(['"])([^'"\n]*)\1\s*\)/dg;

/** Every module specifier a file imports or re-exports, statically or dynamically. */
function importsOf(source: string): string[] {
  const code = stripSource(source);
  const bare = stripSource(source, true);
  const found: Array<[number, string]> = [];
  for (const pattern of [STATIC_IMPORT, DYNAMIC_IMPORT, REQUIRE]) {
    for (const match of bare.matchAll(pattern)) {
      const [start, end] = match.indices![2]!;
      found.push([start, code.slice(start, end)]);
    }
  }
  return found.sort((a, b) => a[0] - b[0]).map(([, specifier]) => specifier);
}

// ---------------------------------------------------------------------------
// Resolving them (paths are repository-relative, with forward slashes)
// ---------------------------------------------------------------------------

type Target =
  | { kind: 'src'; area: string; feature: string | null; path: string }
  | { kind: 'local'; path: string }
  | { kind: 'node' }
  | { kind: 'package' }
  | { kind: 'asset' };

const NODE_BUILTINS = new Set(builtinModules.flatMap((name) => [name, name.split('/')[0]!]));

/** `src/<area>/...`, or `src/features/<feature>/...`; a file directly in src/ is its own area (`main`). */
function locate(path: string): Target {
  const normal = posix.normalize(path);
  if (!normal.startsWith('src/')) return { kind: 'local', path: normal };
  const parts = normal.slice('src/'.length).split('/');
  const area = parts.length === 1 ? parts[0]!.replace(/\.[^.]+$/, '') : parts[0]!;
  const feature = area === 'features' && parts.length > 2 ? parts[1]! : null;
  return { kind: 'src', area, feature, path: normal };
}

function resolveImport(fromPath: string, specifier: string): Target {
  if (ASSET.test(specifier)) return { kind: 'asset' };
  if (specifier.startsWith('.')) return locate(posix.join(posix.dirname(fromPath), specifier));
  if (specifier.startsWith('/')) return locate(specifier.slice(1));
  if (specifier.startsWith('src/')) return locate(specifier);
  if (specifier.startsWith('@/')) return locate(`src/${specifier.slice(2)}`);
  if (specifier.startsWith('node:') || NODE_BUILTINS.has(specifier.split('/')[0]!)) return { kind: 'node' };
  return { kind: 'package' };
}

// ---------------------------------------------------------------------------
// The rules, as pure functions of a tree
// ---------------------------------------------------------------------------

interface SourceFile {
  /** Relative to the repository root, with forward slashes. */
  path: string;
  text: string;
}

interface Import {
  file: string;
  area: string | null;
  feature: string | null;
  specifier: string;
  target: Target;
}

function importsOfTree(files: readonly SourceFile[]): Import[] {
  return files.flatMap((file) => {
    const self = locate(file.path);
    const area = self.kind === 'src' ? self.area : null;
    const feature = self.kind === 'src' ? self.feature : null;
    return importsOf(file.text).map((specifier) => ({
      file: file.path,
      area,
      feature,
      specifier,
      target: resolveImport(file.path, specifier),
    }));
  });
}

const describeImport = ({ file, specifier, target }: Import) =>
  `${file} imports '${specifier}'${target.kind === 'src' ? ` (${target.path})` : ''}`;

/** A src area may import from itself and from the areas listed, and from nothing else in src. */
const onlyFrom =
  (...allowed: string[]) =>
  ({ area, target }: Import) =>
    target.kind === 'src' && target.area !== area && !allowed.includes(target.area);

const PROTOCOL_GLOBALS =
  /(?<![\w$.])(window|document|navigator|localStorage|sessionStorage|location|WebSocket|XMLHttpRequest|requestAnimationFrame|HTMLElement|process|Buffer|__dirname|__filename|require)(?![\w$])(?!\s*:(?!:))/g;

interface Rule {
  name: string;
  check: (files: readonly SourceFile[]) => string[];
}

function importRule(name: string, applies: (i: Import) => boolean, forbidden: (i: Import) => boolean): Rule {
  return { name, check: (files) => importsOfTree(files).filter((i) => applies(i) && forbidden(i)).map(describeImport) };
}

const RULES: Rule[] = [
  importRule(
    'src/protocol imports nothing from src outside protocol, and nothing from node',
    (i) => i.area === 'protocol',
    (i) => i.target.kind === 'node' || i.target.kind === 'local' || (i.target.kind === 'src' && i.target.area !== 'protocol'),
  ),
  {
    name: 'src/protocol uses no DOM or Node globals',
    check: (files) =>
      files
        .filter((file) => locate(file.path).kind === 'src' && (locate(file.path) as { area: string }).area === 'protocol')
        .flatMap((file) => {
          const code = stripSource(file.text, true);
          return [...code.matchAll(PROTOCOL_GLOBALS)].map(
            (m) => `${file.path}:${code.slice(0, m.index).split('\n').length} uses the global '${m[1]}'`,
          );
        }),
  },
  importRule(
    'nothing outside src/server imports src/server, except vite.config.ts',
    (i) => i.area !== 'server' && i.file !== 'vite.config.ts',
    (i) => i.target.kind === 'src' && i.target.area === 'server',
  ),
  importRule('src/server imports only protocol/, lib/, publisher/ and itself from src', (i) => i.area === 'server', onlyFrom('protocol', 'lib', 'publisher')),
  // The publisher library runs in any JavaScript runtime (Node, a browser, a worker): the protocol is all it may use.
  importRule('src/publisher imports only protocol/ and itself from src', (i) => i.area === 'publisher', onlyFrom('protocol')),
  importRule(
    'no feature imports another feature',
    (i) => i.area === 'features',
    (i) => i.target.kind === 'src' && i.target.area === 'features' && i.target.feature !== i.feature,
  ),
  importRule(
    'src/ui never imports src/store',
    (i) => i.area === 'ui',
    (i) => i.target.kind === 'src' && i.target.area === 'store',
  ),
  importRule('src/store imports only protocol/, lib/ and itself from src', (i) => i.area === 'store', onlyFrom('protocol', 'lib')),
  importRule(
    'src/realtime imports only protocol/, store/, lib/ and itself from src',
    (i) => i.area === 'realtime',
    onlyFrom('protocol', 'store', 'lib'),
  ),
  importRule('src/main.tsx imports only app/ from src', (i) => i.area === 'main', onlyFrom('app')),
];

// ---------------------------------------------------------------------------
// The tree as it is now: everything under src/, plus the root config files
// ---------------------------------------------------------------------------

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return walk(full);
    return CODE.test(name) && !name.endsWith('.d.ts') ? [full] : [];
  });
}

function readTree(): SourceFile[] {
  const rootFiles = readdirSync(ROOT)
    .map((name) => join(ROOT, name))
    .filter((full) => CODE.test(full) && statSync(full).isFile());
  return [...walk(SRC), ...rootFiles].map((full) => ({
    path: relative(ROOT, full).split(sep).join('/'),
    text: readFileSync(full, 'utf8'),
  }));
}

// ---------------------------------------------------------------------------

describe('the import scanner', () => {
  it.each([
    ['a default import', `import React from 'react';`, ['react']],
    ['a type-only import', `import type { Envelope } from '../protocol/messages';`, ['../protocol/messages']],
    ['a side-effect import', `import './ui.css';`, ['./ui.css']],
    ['a multi-line import', `import {\n  a,\n  type B,\n  c as d,\n} from "../store/realtime";`, ['../store/realtime']],
    ['a namespace import', `import * as z from 'zod';`, ['zod']],
    ['a re-export of everything', `export * from './types';`, ['./types']],
    ['a named re-export', `export { a, type B } from '../server/room';`, ['../server/room']],
    ['a namespace re-export', `export * as room from '../server/room';`, ['../server/room']],
    ['a dynamic import', `const m = await import('../server/room');`, ['../server/room']],
    ['a require', `const ws = require('ws');`, ['ws']],
    ['a default and named import', `import debounce, { type X } from 'lodash.debounce';`, ['lodash.debounce']],
    ['imports after a regex literal with quotes in it', `const q = /['"]/g;\nimport { x } from '../server/room';`, ['../server/room']],
    ['imports after JSX text with an apostrophe', `const v = <p>Don't panic</p>;\nimport { x } from '../store/realtime';`, ['../store/realtime']],
  ])('finds %s', (_why, source, expected) => {
    expect(importsOf(source)).toEqual(expected);
  });

  it.each([
    ['a commented-out import', `// import { x } from '../server/room';\nconst a = 1;`],
    ['an import inside a block comment', `/*\n import { x } from '../server/room';\n*/`],
    ['a string that mentions import', `const s = "import x from 'y'";`],
    ['a template that mentions import', 'const s = `import x from "y"`;'],
    ['a method named import', `loader.import('../server/room');`],
    ['an export of a constant', `export const from = 'a';`],
  ])('ignores %s', (_why, source) => {
    expect(importsOf(source)).toEqual([]);
  });
});

describe('the architecture rules', () => {
  // One offender per rule, next to neighbours that stay within bounds.
  const tree: SourceFile[] = [
    { path: 'src/protocol/ok.ts', text: `import { z } from 'zod';\nimport { Id } from './mesh';\n// window.alert()\nconst s = 'document';` },
    { path: 'src/protocol/bad-import.ts', text: `import { STORE_LIMITS } from '../store/types';\nimport { readFileSync } from 'node:fs';` },
    { path: 'src/protocol/bad-global.ts', text: `const schema = { location: 1 };\nexport const w = () => window.innerWidth;` },
    { path: 'src/server/ok.ts', text: `import { encodeEnvelope } from '../protocol/codec';\nimport { LruKeys } from '../lib/lru-keys';\nimport { Room } from './room';\nimport { WebSocketServer } from 'ws';` },
    { path: 'src/server/bad.ts', text: `import { createRealtimeStore } from '../store/realtime';` },
    { path: 'src/app/App.tsx', text: `import { Topology } from '../features/topology/topology-view';\nimport { Room } from '../server/room';` },
    { path: 'vite.config.ts', text: `import { meshwatchGateway } from './src/server/vite-plugin';` },
    { path: 'playwright.config.ts', text: `import { startGateway } from './src/server/main';` },
    { path: 'src/features/events/feed.tsx', text: `import { useRealtime } from '../../store/realtime';\nimport { Panel } from '../../ui/panel';\nimport { EventRow } from './event-row';\nimport { NodeCard } from '../topology/node-card';` },
    { path: 'src/ui/panel.tsx', text: `import './ui.css';\nimport type { Severity } from '../protocol/mesh';` },
    { path: 'src/ui/bad.tsx', text: `export { useRealtime } from '../store/realtime';` },
    { path: 'src/store/bad.ts', text: `import { RealtimeConnection } from '../realtime/connection';` },
    { path: 'src/realtime/bad.ts', text: `import { TopologyView } from '../features/topology/topology-view';\nimport { useRealtime } from '../store/realtime';` },
    { path: 'src/publisher/ok.ts', text: `import { Payload } from '../protocol/messages';\nimport { retryDelay } from './retry';` },
    { path: 'src/publisher/bad.ts', text: `import { Room } from '../server/room';\nimport { useRealtime } from '../store/realtime';` },
    { path: 'src/server/cli/replay.ts', text: `import { createPublisher } from '../../publisher/publisher';` },
    { path: 'src/main.tsx', text: `import './index.css';\nimport { App } from './app/App';\nimport { useRealtime } from './store/realtime';` },
  ];

  const expected: Record<string, string[]> = {
    'src/protocol imports nothing from src outside protocol, and nothing from node': [
      `src/protocol/bad-import.ts imports '../store/types' (src/store/types)`,
      `src/protocol/bad-import.ts imports 'node:fs'`,
    ],
    'src/protocol uses no DOM or Node globals': [`src/protocol/bad-global.ts:2 uses the global 'window'`],
    'nothing outside src/server imports src/server, except vite.config.ts': [
      `src/app/App.tsx imports '../server/room' (src/server/room)`,
      `playwright.config.ts imports './src/server/main' (src/server/main)`,
      `src/publisher/bad.ts imports '../server/room' (src/server/room)`,
    ],
    'src/server imports only protocol/, lib/, publisher/ and itself from src': [`src/server/bad.ts imports '../store/realtime' (src/store/realtime)`],
    'no feature imports another feature': [
      `src/features/events/feed.tsx imports '../topology/node-card' (src/features/topology/node-card)`,
    ],
    'src/publisher imports only protocol/ and itself from src': [
      `src/publisher/bad.ts imports '../server/room' (src/server/room)`,
      `src/publisher/bad.ts imports '../store/realtime' (src/store/realtime)`,
    ],
    'src/ui never imports src/store': [`src/ui/bad.tsx imports '../store/realtime' (src/store/realtime)`],
    'src/store imports only protocol/, lib/ and itself from src': [
      `src/store/bad.ts imports '../realtime/connection' (src/realtime/connection)`,
    ],
    'src/realtime imports only protocol/, store/, lib/ and itself from src': [
      `src/realtime/bad.ts imports '../features/topology/topology-view' (src/features/topology/topology-view)`,
    ],
    'src/main.tsx imports only app/ from src': [`src/main.tsx imports './store/realtime' (src/store/realtime)`],
  };

  it('has an expectation for every rule', () => {
    expect(Object.keys(expected).sort()).toEqual(RULES.map((rule) => rule.name).sort());
  });

  it.each(RULES.map((rule) => [rule.name, rule] as const))('catch: %s', (name, rule) => {
    expect(rule.check(tree)).toEqual(expected[name]);
  });
});

describe('architecture', () => {
  const tree = readTree();

  it('reads the tree, so an empty scan cannot pass for a clean one', () => {
    const store = importsOfTree(tree.filter((file) => file.path === 'src/store/realtime.ts')).map((i) => i.specifier);
    expect(store).toContain('../protocol/messages.ts');
    expect(store).toContain('./types.ts');
  });

  it.each(RULES.map((rule) => [rule.name, rule] as const))('%s', (_name, rule) => {
    expect(rule.check(tree)).toEqual([]);
  });
});
