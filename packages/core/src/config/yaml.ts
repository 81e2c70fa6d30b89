import type { Document } from 'yaml';
import { LineCounter, isMap, isNode, isScalar, isSeq, parseDocument, stringify } from 'yaml';
import { ValidationError } from '../errors.js';
import type { ConfigDoc, ConfigDocInput } from './schema.js';
import { ConfigDocSchema } from './schema.js';

/** Where an entry stands in the file: 1-based line and column. */
export interface FilePosition {
  line: number;
  column: number;
}

/** A problem in the file: its path in the document and, when known, where it is. */
export interface ConfigIssue {
  path: string;
  message: string;
  line: number | null;
  column: number | null;
}

/** The file is not valid YAML or not a valid configuration; every issue names its place. */
export class ConfigFileError extends ValidationError {
  constructor(
    readonly file: string,
    readonly problems: readonly ConfigIssue[],
  ) {
    super(
      problems.map((p) => `${file}${p.line ? `:${p.line}:${p.column ?? 1}` : ''}: ${p.path ? `${p.path}: ` : ''}${p.message}`).join('\n'),
      problems.map((p) => ({ path: p.path, message: p.message })),
    );
  }
}

/** A parsed configuration file that can still tell where each entry was written. */
export interface ParsedConfig {
  doc: ConfigDoc;
  locate: (path: readonly (string | number)[]) => FilePosition | null;
}

function locator(document: Document, lines: LineCounter) {
  const at = (node: unknown): FilePosition | null => {
    if (!isNode(node) || !node.range) return null;
    const p = lines.linePos(node.range[0]);
    return { line: p.line, column: p.col };
  };
  // The entry's key (or list item), or failing that the nearest enclosing one that exists.
  return (path: readonly (string | number)[]): FilePosition | null => {
    let node: unknown = document.contents;
    let found = at(node);
    for (const seg of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === seg);
        if (!pair) break;
        found = at(pair.key) ?? found;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number') {
        node = node.items[seg];
        found = at(node) ?? found;
      } else break;
    }
    return found;
  };
}

/** Parses a configuration file: YAML syntax errors and schema errors both name file, line, column and field. */
export function parseConfigYaml(text: string, file = 'config.yaml'): ParsedConfig {
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  if (document.errors.length) {
    throw new ConfigFileError(
      file,
      document.errors.map((e) => {
        const at = e.linePos?.[0];
        return { path: '', message: (e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, ''), line: at?.line ?? null, column: at?.col ?? null };
      }),
    );
  }
  const locate = locator(document, lines);
  const r = ConfigDocSchema.safeParse(document.toJS() ?? {});
  if (!r.success) {
    throw new ConfigFileError(
      file,
      r.error.issues.map((i) => {
        const path = i.path.filter((k): k is string | number => typeof k !== 'symbol');
        // An unknown key is reported on its parent; point at the key itself.
        if (i.code === 'unrecognized_keys' && i.keys.length === 1 && i.keys[0] !== undefined) path.push(i.keys[0]);
        const at = locate(path);
        return { path: path.join('.'), message: i.message, line: at?.line ?? null, column: at?.column ?? null };
      }),
    );
  }
  return { doc: r.data, locate };
}

/** The configuration as YAML, with the schema line editors use for completion and checks. */
export function configToYaml(doc: ConfigDocInput, schemaUrl?: string): string {
  const head = schemaUrl ? `# yaml-language-server: $schema=${schemaUrl}\n` : '';
  return `${head}# Gatehouse account configuration: apply with \`gatehouse config plan|apply <file>\`.\n${stringify(doc, { lineWidth: 0, sortMapEntries: false })}`;
}
