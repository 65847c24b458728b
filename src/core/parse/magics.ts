import type { Range } from '../types';

/** An IPython magic or shell escape line, kept visible to rules after masking. */
export interface Magic {
  /** `%pip install x` -> kind 'line', name 'pip'; `!pip install x` -> kind 'shell', name 'pip'. */
  kind: 'line' | 'cell' | 'shell' | 'help';
  name: string;
  /** The whole command text after the prefix, continuation lines joined. */
  command: string;
  /** Range of the magic in the source, from its prefix to its end. */
  range: Range;
}

export interface MaskedSource {
  /** Same length and line structure as the input; magics replaced by spaces. */
  masked: string;
  magics: Magic[];
}

const MAGIC_LINE = /^([ \t]*)(%%|%|!!|!)([A-Za-z_][\w.-]*)?(.*)$/;
// `x = !ls` and `files = %sx ls`: an assignment whose value is a magic.
const ASSIGNED_MAGIC = /^([ \t]*[A-Za-z_][\w.]*[ \t]*=[ \t]*)(%|!)([A-Za-z_][\w.-]*)?(.*)$/;
const HELP_LINE = /^([ \t]*)([A-Za-z_][\w.]*)\?\??[ \t]*\r?$/;
// Matches wherever a line could be one of the above or an `obj?` help request
// (a superset: `^` also matches after \r here, and `%%` lines are covered by `%`).
const MAYBE_MAGIC = /^[^\S\n]*[%!]|^[ \t]*[A-Za-z_][\w.]*(?:[ \t]*=[ \t]*[%!]|\?\??[ \t]*\r?$)/m;

function stripCR(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

/** The first character after leading spaces and tabs. */
function firstAfterIndent(line: string): string {
  let i = 0;
  while (line[i] === ' ' || line[i] === '\t') i++;
  return line[i];
}

function spaces(run: string): string {
  return ' '.repeat(run.length);
}

function blank(s: string): string {
  return s.replace(/[^\r\n]+/g, spaces);
}

/**
 * Masks IPython magics and shell escapes with spaces, keeping every position,
 * so tree-sitter sees plain Python. A `%%cell` magic masks the whole cell unless
 * it is a Python-running magic such as `%%time`, which masks the first line only.
 */
export function maskMagics(source: string): MaskedSource {
  // Most cells have none: a line starting with % or !, an `x = !cmd` or an `obj?`.
  if (!/[%!?]/.test(source) || !MAYBE_MAGIC.test(source)) return { masked: source, magics: [] };
  const lines = source.split('\n');
  const magics: Magic[] = [];
  const out: string[] = [];
  let firstCode = true;
  for (let ln = 0; ln < lines.length; ln++) {
    const line = lines[ln];
    // Before the first code line, a `%%` line is a cell magic (after it, only line magics are read).
    const trimmed = firstCode ? line.trimStart() : '';
    if (firstCode && trimmed.startsWith('%%')) {
      const m = /^%%([\w.-]+)?(.*)$/.exec(trimmed.replace(/\r$/, ''));
      const name = m?.[1] ?? '';
      const pythonBody = /^(time|timeit|capture|prun|debug|python|python3|memit|skip)$/.test(name);
      const lastLine = pythonBody ? ln : lines.length - 1;
      const endChar = lines[lastLine].replace(/\r$/, '').length;
      const body = pythonBody ? (m?.[2] ?? '').trim() : lines.slice(ln + 1).join('\n');
      magics.push({ kind: 'cell', name, command: `${(m?.[2] ?? '').trim()}${pythonBody ? '' : '\n' + body}`.trim(), range: { start: { line: ln, character: line.length - trimmed.length }, end: { line: lastLine, character: endChar } } });
      for (let k = ln; k <= lastLine; k++) out.push(blank(lines[k]));
      ln = lastLine;
      continue;
    }
    if (firstCode && trimmed !== '' && !trimmed.startsWith('#')) firstCode = false;
    // Each pattern only runs on a line that has what it needs to match.
    const lead = firstAfterIndent(line);
    const m = lead === '%' || lead === '!' ? MAGIC_LINE.exec(stripCR(line)) : null;
    const am = m || !line.includes('=') || !(line.includes('!') || line.includes('%')) ? undefined : ASSIGNED_MAGIC.exec(stripCR(line));
    if (m || am) {
      const prefixLen = m ? m[1].length : am![1].length;
      const sigil = m ? m[2] : am![2];
      const name = (m ? m[3] : am![3]) ?? '';
      let command = `${name}${m ? m[4] : am![4]}`;
      // Backslash continuation lines belong to the same magic.
      let last = ln;
      while (lines[last].replace(/\r$/, '').endsWith('\\') && last + 1 < lines.length) {
        last++;
        command = command.replace(/\s*\\$/, ' ') + lines[last].replace(/\r$/, '').trim();
      }
      const kind: Magic['kind'] = sigil.startsWith('!') ? 'shell' : 'line';
      magics.push({ kind, name, command: command.trim(), range: { start: { line: ln, character: prefixLen }, end: { line: last, character: lines[last].replace(/\r$/, '').length } } });
      const rest = line.slice(prefixLen);
      // Keep `x = !ls` a valid assignment so `x` still counts as defined.
      out.push(line.slice(0, prefixLen) + (am && rest.length >= 4 ? 'None' + blank(rest.slice(4)) : blank(rest)));
      for (let k = ln + 1; k <= last; k++) out.push(blank(lines[k]));
      ln = last;
      continue;
    }
    // `obj?` / `obj??` help requests.
    const help = line.includes('?') ? HELP_LINE.exec(line) : null;
    if (help) {
      magics.push({ kind: 'help', name: help[2], command: help[2], range: { start: { line: ln, character: help[1].length }, end: { line: ln, character: line.replace(/\r$/, '').length } } });
      out.push(help[1] + blank(line.slice(help[1].length)));
      continue;
    }
    out.push(line);
  }
  return { masked: out.join('\n'), magics };
}
