import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node as YamlNode, type Pair } from 'yaml';
import type { Range } from '../types';

export interface YamlError {
  message: string;
  range: Range;
}

export interface YamlFile {
  text: string;
  docs: Document.Parsed[];
  lineCounter: LineCounter;
  errors: YamlError[];
  /** The file is a template (`{{ }}` placeholders masked to parse it). */
  templated?: boolean;
}

/**
 * Jinja/cookiecutter/Helm-style templates (`{{ var }}`, `{% if %}`) are not YAML
 * until rendered. Masked to same-length text (so positions hold) they usually are:
 * `{{ x }}` becomes underscores, `{% ... %}` and `{# ... #}` become spaces.
 */
export function maskTemplates(text: string): string {
  return text
    .replace(/\{\{[^{}\n]*\}\}/g, (m) => '_'.repeat(m.length))
    .replace(/\{%[^\n]*?%\}|\{#[^\n]*?#\}/g, (m) => ' '.repeat(m.length));
}

export function parseYaml(text: string): YamlFile {
  const first = parseYamlText(text);
  if (first.errors.length === 0 || !/\{\{|\{%/.test(text)) return first;
  const masked = parseYamlText(maskTemplates(text));
  return masked.errors.length === 0 ? { ...masked, text, templated: true } : first;
}

function parseYamlText(text: string): YamlFile {
  const lineCounter = new LineCounter();
  const errors: YamlError[] = [];
  let docs: Document.Parsed[] = [];
  if (text.includes('\u0000')) {
    errors.push({ message: 'The file is binary, not YAML.', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } });
    return { text, docs, lineCounter, errors };
  }
  docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: false }) as Document.Parsed[];
  if (!Array.isArray(docs)) docs = [docs as unknown as Document.Parsed];
  const file: YamlFile = { text, docs, lineCounter, errors };
  for (const d of docs) {
    for (const e of d.errors) {
      errors.push({ message: e.message.split('\n')[0], range: offsetsToRange(file, e.pos[0], e.pos[1]) });
    }
  }
  return file;
}

export function offsetsToRange(file: YamlFile, start: number, end: number): Range {
  const s = file.lineCounter.linePos(start);
  const e = file.lineCounter.linePos(Math.max(start, end));
  return { start: { line: s.line - 1, character: s.col - 1 }, end: { line: e.line - 1, character: e.col - 1 } };
}

/** Range of a YAML node's value (without trailing comments). */
export function nodeRange(file: YamlFile, node: YamlNode | null | undefined): Range {
  const r = node?.range;
  if (!r) return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  return offsetsToRange(file, r[0], r[1]);
}

export type YamlPath = ReadonlyArray<string | number>;

/** The node at a key path, e.g. `['stages', 'train', 'deps', 0]`. */
export function getNode(root: unknown, p: YamlPath): YamlNode | undefined {
  let cur: unknown = root;
  for (const k of p) {
    if (isMap(cur)) {
      const pair = cur.items.find((it) => isScalar(it.key) && String(it.key.value) === String(k));
      cur = pair?.value;
    } else if (isSeq(cur) && typeof k === 'number') {
      cur = cur.items[k];
    } else {
      return undefined;
    }
    if (cur === undefined || cur === null) return undefined;
  }
  return cur as YamlNode;
}

/** The key/value pair at a key path (for ranges of the key itself). */
export function getPair(root: unknown, p: YamlPath): Pair | undefined {
  if (p.length === 0) return undefined;
  const parent = p.length === 1 ? root : getNode(root, p.slice(0, -1));
  if (!isMap(parent)) return undefined;
  const last = String(p[p.length - 1]);
  return parent.items.find((it) => isScalar(it.key) && String(it.key.value) === last);
}

export function scalarString(node: unknown): string | undefined {
  if (isScalar(node) && (typeof node.value === 'string' || typeof node.value === 'number' || typeof node.value === 'boolean')) return String(node.value);
  return undefined;
}

/** Every scalar of a document with its key path, for rules that scan values. */
export function* walkScalars(node: unknown, p: Array<string | number> = []): Generator<{ path: Array<string | number>; node: YamlNode; value: string; keyNode?: YamlNode }> {
  if (isMap(node)) {
    for (const it of node.items) {
      const key = isScalar(it.key) ? String(it.key.value) : '?';
      if (isScalar(it.value)) {
        const v = scalarString(it.value);
        if (v !== undefined) yield { path: [...p, key], node: it.value, value: v, keyNode: it.key as YamlNode };
      } else yield* walkScalars(it.value, [...p, key]);
    }
  } else if (isSeq(node)) {
    for (let i = 0; i < node.items.length; i++) {
      const it = node.items[i];
      if (isScalar(it)) {
        const v = scalarString(it);
        if (v !== undefined) yield { path: [...p, i], node: it, value: v };
      } else yield* walkScalars(it, [...p, i]);
    }
  }
}

/** Plain JS value of the first document (undefined when empty or broken). */
export function firstValue(file: YamlFile): unknown {
  const d = file.docs[0];
  if (!d || d.errors.length) return undefined;
  try {
    return d.toJS({ maxAliasCount: 100 });
  } catch {
    return undefined;
  }
}
