import { isMap, isScalar, isSeq, type Node as YamlNode } from 'yaml';
import { nodeRange } from '../../parse/yaml';
import { defineRule, type RuleContext, type RuleDocs } from '../../rule';
import type { Fix } from '../../types';
import { basename, dirname, joinPath } from '../../workspace/fs';
import type { ParamsFile } from '../../workspace/workspace-index';
import { relativeTo, stagePair, yamlScalar, yamlStages } from '../lib/dvc';

/** Every key path of a params value (`train`, `train.lr`, `layers.0`), bounded. */
function keyPaths(value: unknown, prefix = '', out: string[] = [], depth = 0): string[] {
  if (depth > 8 || out.length > 2000) return out;
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      const k = prefix ? `${prefix}.${i}` : String(i);
      out.push(k);
      keyPaths(v, k, out, depth + 1);
    });
  } else if (value && typeof value === 'object') {
    for (const [k0, v] of Object.entries(value as Record<string, unknown>)) {
      const k = prefix ? `${prefix}.${k0}` : k0;
      out.push(k);
      keyPaths(v, k, out, depth + 1);
    }
  }
  return out;
}

/** True when the dotted key names something in the params value (nested maps, list indexes, or a literal dotted key). */
export function definesKey(value: unknown, key: string): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value) && /^\d+$/.test(key)) return Number(key) < value.length;
  const obj = value as Record<string, unknown>;
  if (!Array.isArray(value) && Object.prototype.hasOwnProperty.call(obj, key)) return true;
  const dot = key.indexOf('.');
  // Try every split point: `a.b.c` may be `a` -> `b.c` or `a.b` -> `c`.
  for (let i = dot; i >= 0; i = key.indexOf('.', i + 1)) {
    const head = key.slice(0, i);
    const rest = key.slice(i + 1);
    const child = Array.isArray(value) ? (/^\d+$/.test(head) ? value[Number(head)] : undefined) : Object.prototype.hasOwnProperty.call(obj, head) ? obj[head] : undefined;
    if (child !== undefined && definesKey(child, rest)) return true;
  }
  return false;
}

function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 8) return 99;
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}

/** The defined key closest to a missing one: a small edit away, or the same leaf under another parent. */
export function closestKey(value: unknown, key: string): string | undefined {
  const all = keyPaths(value);
  const leaf = key.slice(key.lastIndexOf('.') + 1);
  let best: { k: string; d: number } | undefined;
  const limit = Math.max(2, Math.floor(key.length / 4));
  for (const k of all) {
    const d = distance(key.toLowerCase(), k.toLowerCase());
    if (d <= limit && (!best || d < best.d)) best = { k, d };
  }
  if (best) return best.k;
  // Same section, one name a prefix of the other (`min_tenure` -> `min_tenure_months`).
  const parent = key.slice(0, key.lastIndexOf('.') + 1);
  const prefixed = all.filter((k) => {
    if (!k.startsWith(parent) || k.slice(parent.length).includes('.')) return false;
    const l = k.slice(parent.length);
    return Math.min(l.length, leaf.length) >= 3 && (l.startsWith(leaf) || leaf.startsWith(l));
  });
  if (prefixed.length === 1) return prefixed[0];
  const sameLeaf = all.filter((k) => k.slice(k.lastIndexOf('.') + 1) === leaf);
  return sameLeaf.length === 1 ? sameLeaf[0] : undefined;
}

interface KeyRef {
  key: string;
  node: YamlNode;
}

async function checkFile(ctx: RuleContext, stageName: string, file: string, fileNode: YamlNode, keys: KeyRef[], explicit: boolean): Promise<void> {
  if (file.includes('${') || file.startsWith('..')) return;
  const params: ParamsFile = await ctx.workspace.loadParams(file);
  const shown = explicit ? (fileNode as { value?: unknown }).value?.toString() ?? basename(file) : relativeTo(dirname(ctx.file), file);
  if (params.status === 'missing') {
    ctx.report({ messageId: 'missingFile', data: { stage: stageName, file: shown, count: keys.length ? `${keys.length} param${keys.length > 1 ? 's' : ''}` : 'its params' }, location: { range: nodeRange(ctx.yaml!, fileNode) } });
    return;
  }
  if (params.status !== 'ok') return;
  for (const k of keys) {
    if (k.key.includes('${') || definesKey(params.value, k.key)) continue;
    const suggestion = closestKey(params.value, k.key);
    const fixes: Fix[] = suggestion
      ? [{ title: `Change to \`${suggestion}\``, safety: 'unsafe', edits: [{ range: nodeRange(ctx.yaml!, k.node), newText: yamlScalar(suggestion) }] }]
      : [];
    ctx.report({
      messageId: 'missingKey',
      data: { stage: stageName, key: k.key, file: shown, hint: suggestion ? ` Did you mean \`${suggestion}\`?` : '' },
      location: { range: nodeRange(ctx.yaml!, k.node) },
      fixes,
    });
  }
}

function keyRefs(v: unknown): KeyRef[] {
  const out: KeyRef[] = [];
  for (const it of isSeq(v) ? v.items : [v]) if (isScalar(it) && (typeof it.value === 'string' || typeof it.value === 'number')) out.push({ key: String(it.value), node: it as YamlNode });
  return out;
}

type DocsExample = RuleDocs['example'] & { files: Record<string, string> };
const PARAMS = 'train:\n  n_estimators: 300\n  max_depth: 12\n';
const EXAMPLE: DocsExample = {
  language: 'yaml',
  file: 'dvc.yaml',
  code: 'stages:\n  train:\n    cmd: python src/train.py\n    params:\n      - train.n_estimators\n      - train.learning_rate\n',
  files: { 'params.yaml': PARAMS },
};
const USE_INSTEAD: DocsExample = {
  language: 'yaml',
  file: 'dvc.yaml',
  code: 'stages:\n  train:\n    cmd: python src/train.py\n    params:\n      - train.n_estimators\n      - train.max_depth\n',
  files: { 'params.yaml': PARAMS },
};

export default defineRule({
  meta: {
    id: 'dvc-params-mismatch',
    area: 'data',
    defaultSeverity: 'error',
    recommended: true,
    targets: ['yaml'],
    messages: {
      missingKey:
        'Stage `{{stage}}` tracks param `{{key}}`, which {{file}} does not define: `dvc repro` stops with "Parameters are missing".{{hint}} Define it in {{file}} or remove it from the stage\'s `params`.',
      missingFile:
        'Stage `{{stage}}` reads {{count}} from {{file}}, which does not exist: `dvc repro` cannot run the stage. Create {{file}} or point the stage at the right params file.',
      missingTopFile: '{{file}} is listed under `{{field}}` but does not exist: DVC fails to load this dvc.yaml. Create it or fix the path.',
    },
    docs: {
      summary: 'A dvc.yaml stage tracks params that its params file does not define, or a params file that does not exist.',
      whatItDoes:
        'Reads each stage\'s `params:` list. Plain keys (`train.lr`) must be defined in the stage\'s default params file (`params.yaml` in its `wdir`); keys under a file name (`- conf/train.yaml: [lr]`) must be defined in that file. Keys are dotted paths through nested maps (list indexes allowed). The params files come from the workspace index, which keeps their values and re-reads one only when it changes. It also reports params files that do not exist: the ones stages name, and the files of the top-level `params:` and `vars:` lists. YAML, JSON and TOML params files are checked; Python params files only for existence. When a defined key is a small edit away (or the same name under another section), the message suggests it.',
      whyIsThisBad:
        'DVC refuses to run a stage whose params are missing, so the pipeline breaks for the next person who runs `dvc repro`; and a typo that happens to match nothing means the parameter the code really reads is not tracked, so changing it does not rerun the stage (Sculley et al.: configuration debt).',
      example: EXAMPLE,
      useInstead: USE_INSTEAD,
      fixSafety:
        'A fix can only edit dvc.yaml, and neither removing a param nor renaming it is known to be what the author meant. When one defined key is close to the missing one, an unsafe quick fix replaces the key with it; otherwise the rule only explains.',
      references: [
        'Breck et al. 2017, The ML Test Score: Infra 1 (training is reproducible)',
        'Sculley et al. 2015, Hidden Technical Debt in ML Systems: configuration debt',
        'DVC: stage params - https://dvc.org/doc/user-guide/project-structure/dvcyaml-files#parameters',
        'DVC: `dvc params diff` - https://dvc.org/doc/command-reference/params/diff',
      ],
    },
  },
  async check(ctx) {
    if (ctx.configKind !== 'dvc-pipeline' || !ctx.yaml) return;
    const yaml = ctx.yaml;
    const dir = dirname(ctx.file);
    for (const stage of yamlStages(yaml, ctx.file)) {
      const pair = stagePair(stage, 'params');
      if (!pair || !isSeq(pair.value)) continue;
      const defaults: KeyRef[] = [];
      for (const it of pair.value.items) {
        if (isScalar(it)) defaults.push(...keyRefs(it));
        else if (isMap(it)) {
          for (const p of it.items) {
            if (!isScalar(p.key) || typeof p.key.value !== 'string') continue;
            await checkFile(ctx, stage.name, joinPath(stage.wdir, p.key.value), p.key as YamlNode, keyRefs(p.value), true);
          }
        }
      }
      if (defaults.length) await checkFile(ctx, stage.name, joinPath(stage.wdir, 'params.yaml'), pair.key as YamlNode, defaults, false);
    }
    // Files DVC loads for the whole pipeline.
    const root = yaml.docs[0]?.contents;
    if (!isMap(root)) return;
    for (const field of ['params', 'vars']) {
      const list = root.get(field, true);
      if (!isSeq(list)) continue;
      for (const it of list.items) {
        if (!isScalar(it) || typeof it.value !== 'string' || it.value.includes('${')) continue;
        const name = it.value.replace(/:[^/]*$/, '');
        // `vars` entries without a file extension are not files.
        if (!/\.(ya?ml|json|toml|py)$/i.test(name)) continue;
        const file = joinPath(dir, name);
        if ((await ctx.workspace.loadParams(file)).status === 'missing') {
          ctx.report({ messageId: 'missingTopFile', data: { file: name, field }, location: { range: nodeRange(yaml, it as YamlNode) } });
        }
      }
    }
  },
});
