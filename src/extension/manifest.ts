// Generated parts of package.json and snippets/, derived from the engine's typed
// schema and src/core/templates.ts. No `vscode` import: scripts/gen-contributions.ts
// writes them and test/vscode/manifest.test.ts fails when the committed ones are stale.
import { SETTINGS_NAMESPACE, settingsContribution } from '../core/config/schema';
import { TEMPLATES, type TemplateLanguage } from '../core/templates';

type Json = Record<string, unknown>;

export const RUN_VALUES = ['onType', 'onSave'] as const;
export type RunMode = (typeof RUN_VALUES)[number];

export const PRECEDENCE_VALUES = ['settings', 'configFile'] as const;
export type Precedence = (typeof PRECEDENCE_VALUES)[number];

export const IGNORE_CELL_VALUES = ['comment', 'tag', 'metadata'] as const;
export type IgnoreCellWith = (typeof IGNORE_CELL_VALUES)[number];

/** Settings that exist only in the editor (the rule settings come from the engine's schema). */
function editorSettings(): Record<string, Json> {
  const ns = SETTINGS_NAMESPACE;
  return {
    [`${ns}.enable`]: {
      type: 'boolean',
      default: true,
      scope: 'resource',
      order: -2,
      description: 'Lint notebooks, Python files and pipeline YAML in this folder.',
      markdownDescription: 'Lint notebooks, Python files and pipeline YAML in this folder. Turn off to clear every MLOps Hygiene diagnostic.',
    },
    [`${ns}.run`]: {
      type: 'string',
      enum: [...RUN_VALUES],
      default: 'onType',
      scope: 'resource',
      order: -1,
      description: 'When to lint: while typing (debounced) or when a file is saved.',
      markdownDescription: 'When to lint: while typing (debounced, one re-parsed cell per edit) or only when a file or notebook is opened and saved.',
      enumDescriptions: ['Lint while typing, after a short pause.', 'Lint when a file or notebook is opened or saved.'],
      markdownEnumDescriptions: ['Lint while typing, after a short pause.', 'Lint when a file or notebook is opened or saved.'],
    },
    [`${ns}.precedence`]: {
      type: 'string',
      enum: [...PRECEDENCE_VALUES],
      default: 'settings',
      scope: 'resource',
      order: 2,
      description: 'Which wins when the team config file and mlopsHygiene.rules set the same rule.',
      markdownDescription:
        'Which wins when the team config file (`.mlops-hygiene.yaml`) and `#mlopsHygiene.rules#` both set a rule. ' +
        'Lowest first, `settings`: preset < config `rules` < config `overrides` < editor settings. ' +
        '`configFile`: editor settings apply only to rules the config file does not set anywhere.',
      enumDescriptions: ['Editor settings override the team config file.', 'The team config file wins; editor settings only fill in the rules it does not set.'],
      markdownEnumDescriptions: [
        'Editor settings override the team config file.',
        'The team config file wins; editor settings only fill in the rules it does not set.',
      ],
    },
    [`${ns}.ignoreCellWith`]: {
      type: 'string',
      enum: [...IGNORE_CELL_VALUES],
      default: 'comment',
      scope: 'resource',
      order: 3,
      description: 'How "Ignore <rule> for this cell" and "... for this file" suppress a finding in a notebook.',
      markdownDescription:
        'How the *Ignore <rule> for this cell* and *for this file* quick fixes suppress a finding in a notebook: ' +
        'a comment in the cell source, a cell tag, or cell (notebook) metadata, which keep the code free of lint comments.',
      enumDescriptions: [
        'Add `# mlops-hygiene: ignore-cell[rule]` at the top of the cell.',
        'Add the cell tag `mlops-hygiene-ignore:rule`.',
        'Add `{"mlops-hygiene": {"ignore": ["rule"]}}` to the cell metadata (notebook metadata for the whole file).',
      ],
      markdownEnumDescriptions: [
        'Add `# mlops-hygiene: ignore-cell[rule]` at the top of the cell.',
        'Add the cell tag `mlops-hygiene-ignore:rule`.',
        'Add `{"mlops-hygiene": {"ignore": ["rule"]}}` to the cell metadata (notebook metadata for the whole file).',
      ],
    },
  };
}

/** package.json `contributes.configuration`. */
export function configurationContribution(): { title: string; properties: Record<string, Json> } {
  const engine = settingsContribution();
  const properties = { ...editorSettings(), ...engine.properties };
  const sorted = Object.fromEntries(Object.entries(properties).sort(([a], [b]) => a.localeCompare(b)));
  return { title: engine.title, properties: sorted };
}

const SNIPPET_LANGUAGES: readonly TemplateLanguage[] = ['python', 'yaml'];

/** snippets/<language>.json texts, keyed by path. */
export function snippetFiles(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const lang of SNIPPET_LANGUAGES) {
    const snippets: Record<string, Json> = {};
    for (const t of TEMPLATES.filter((x) => x.language === lang)) {
      snippets[t.name] = { prefix: t.prefix, description: t.description, body: t.body.split('\n') };
    }
    out[`snippets/${lang}.json`] = JSON.stringify(snippets, null, 2) + '\n';
  }
  return out;
}
