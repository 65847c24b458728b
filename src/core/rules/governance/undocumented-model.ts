import { isMap, isScalar, type Node as YamlNode } from 'yaml';
import { nodeRange, scalarString } from '../../parse/yaml';
import { unitLocation, type PythonProgram } from '../../parse/program';
import type { CallFact } from '../../parse/python';
import { defineRule, type RuleContext } from '../../rule';
import type { Location } from '../../types';
import { basename } from '../../workspace/fs';
import type { WorkspaceIndex } from '../../workspace/workspace-index';
import { pythonDeployments } from '../lib/deployment';
import { analyseTraining, callKind, kindedCalls } from '../lib/training';
import { importsModule, unitMemo } from '../lib/value-resolver';
import { ciWorkflow, hasModelContext, pythonPipelines, servesModel, yamlPipeline } from '../lib/pipelines';

/** Model documentation, by file name: a model card, `MODEL.md`, `docs/model*`, a README beside a model. */
const MODEL_DOC = [
  /(^|\/)[^/]*model[-_ ]?cards?[^/]*$/i,
  /(^|\/)modelcards?(\.[\w.]+)?$/i,
  /(^|\/)models?\.md$/i,
  /(^|\/)docs?\/(.*\/)?models?([-_][^/]*)?(\.(md|rst|html|txt)|\/[^/]+\.(md|rst))$/i,
  /(^|\/)models?\/[^/]+\/README\.md$/i,
];

/** Every MODEL_DOC pattern holds `model` (any case): a path without it is none. */
const MODEL_WORD = /model/i;

export function modelDocumentation(ws: WorkspaceIndex): string | undefined {
  return ws.files().find((f) => MODEL_WORD.test(f) && MODEL_DOC.some((re) => re.test(f)));
}

const REGISTER_CALL = /^(mlflow\.register_model|mlflow\.(tracking\.)?MlflowClient\(\)\.(create_registered_model|create_model_version)|azureml\.core(\.model)?\.Model\.register|google\.cloud\.aiplatform\.Model\.upload|sagemaker\.\w+.*\.register)$/;

/** A model taken as is from a public catalog (Azure ML / Hugging Face registries, Vertex Model Garden): its card lives there. */
const CATALOG_MODEL = /azureml:\/\/registries\/[^/]+\/models\/|\bpublishers\/[\w-]+\/models\/|model[-_ ]?garden/i;
const CATALOG_CODE = /registry_name\s*=\s*["'](azureml[\w-]*|HuggingFace|nvidia-ai|azure-openai)["']|\bmodel_garden\b|publishers\/[\w-]+\/models\//;

/** Per cell: whether it names a catalog model, and whether its code (comments aside) fine-tunes. */
const unitCatalog = unitMemo((u): boolean => CATALOG_CODE.test(u.text) || u.facts.strings.some((x) => CATALOG_MODEL.test(x.value)));
const unitFineTunes = unitMemo((u): boolean => /fine[-_ ]?tun|\bpeft\b|\blora\b/i.test(u.text.replace(/#[^\n]*/g, '')));

function catalogModelOnly(program: PythonProgram): boolean {
  if (!unitCatalog.all(program).some(Boolean)) return false;
  // A fine-tuned catalog model is the workspace's own model: it needs its own card.
  if (unitFineTunes.all(program).some(Boolean)) return false;
  return analyseTraining(program).sites.length === 0;
}

/** A call that may register a model: `reg` whatever the imports; `azure` / `client` when the program imports Azure ML / MLflow. */
interface RegisterCandidate {
  call: CallFact;
  reg: boolean;
  azure: boolean;
  client: boolean;
}

/** A call that may register a model: `reg` whatever the imports; `azure` / `client` when the program imports Azure ML / MLflow. Undefined for other calls. */
function registerCandidate(call: CallFact, q: string, dotted = call.callee.includes('.')): RegisterCandidate | undefined {
  const name = call.name;
  if (!mayRegister(call.callee, name, q, dotted)) return undefined;
  const client = name === 'create_registered_model' || name === 'create_model_version';
  const azure = name === 'create_or_update' && /(^|\.)models\.create_or_update$/.test(call.callee);
  const registersByArg = name === 'log_model' && /^mlflow\./.test(q) && call.args.some((a) => a.name === 'registered_model_name' && a.text !== 'None');
  const reg = REGISTER_CALL.test(q) || registersByArg;
  return reg || azure || client ? { call, reg, azure, client } : undefined;
}

/**
 * False when `registerCandidate` is undefined whatever the call's arguments: a test of the callee alone.
 * Dotted callees keep their last segment when qualified: only these names can match. The
 * qualified patterns are dotted: an undotted callee matches only when an import binds it.
 */
function mayRegister(callee: string, name: string, q: string, dotted: boolean): boolean {
  if (name === 'create_registered_model' || name === 'create_model_version') return true;
  if (name === 'create_or_update' && /(^|\.)models\.create_or_update$/.test(callee)) return true;
  return dotted ? REGISTER_NAMES.has(name) : q !== callee;
}

/** Calls that may register a model. */
const REGISTERS = callKind((call, q, dotted) => registerCandidate(call, q, dotted) !== undefined, { gate: mayRegister });

/** Last segments of the callees REGISTER_CALL and `log_model(registered_model_name=...)` match. */
const REGISTER_NAMES = new Set(['register_model', 'create_registered_model', 'create_model_version', 'register', 'upload', 'log_model']);

/** Where Python registers or deploys a model (none for a catalog model used as is). */
function pythonEvidence(program: PythonProgram): { location: Location; what: string } | undefined {
  const evidence = deployedOrRegistered(program);
  // Most programs neither deploy nor register: the catalog test is only needed for those that do.
  return evidence && !catalogModelOnly(program) ? evidence : undefined;
}

function deployedOrRegistered(program: PythonProgram): { location: Location; what: string } | undefined {
  const dep = pythonDeployments(program).find((d) => !d.endpointOnly);
  if (dep) return { location: unitLocation(dep.unit, dep.span), what: `${dep.what} deploys` };
  const all = kindedCalls(program);
  let importsAzure: boolean | undefined;
  let importsMlflow: boolean | undefined;
  for (let i = 0; i < all.length; i++) {
    for (const k of all[i]) {
      const c = k.kinds & REGISTERS ? registerCandidate(k.call, k.qualified) : undefined;
      if (!c) continue;
      const hit = c.reg || (c.azure && (importsAzure ??= importsModule(program, ['azure.ai.ml']))) || (c.client && (importsMlflow ??= importsModule(program, ['mlflow'])));
      if (!hit) continue;
      const call = c.call;
      return { location: unitLocation(program.units[i], call.calleeSpan), what: `${call.callee.length > 40 ? call.name : call.callee}(...) registers` };
    }
  }
  for (const p of pythonPipelines(program)) {
    const s = p.steps.find((x) => x.roles.has('deploy') || x.roles.has('register'));
    if (s?.unit && s.span) return { location: unitLocation(s.unit, s.span), what: `Pipeline step ${s.label} ${s.roles.has('deploy') ? 'deploys' : 'registers'}` };
  }
  return undefined;
}

function strOf(node: unknown): string {
  return scalarString(node) ?? '';
}

function yamlEvidence(ctx: RuleContext): { location: Location; what: string } | undefined {
  const yaml = ctx.yaml!;
  const root = yaml.docs[0]?.contents;
  const kindPair = isMap(root) ? (root.items.find((p) => isScalar(p.key) && (p.key.value === 'kind' || p.key.value === 'model')) ?? root.items[0]) : undefined;
  const top: Location = { range: nodeRange(yaml, (kindPair?.key ?? root) as YamlNode) };
  if (CATALOG_MODEL.test(strOf(isMap(root) ? root.get('model', true) : undefined))) return undefined;
  if (ctx.configKind === 'azureml-model') return { location: top, what: 'This model asset registers' };
  if (servesModel(yaml, ctx.configKind)) return { location: top, what: 'This deployment serves' };
  const wf = ciWorkflow(yaml, ctx.configKind);
  if (wf) {
    for (const job of wf.jobs) {
      const step = job.steps.find((s) => (s.roles.has('deploy') || s.roles.has('register')) && hasModelContext(`${s.name}\n${s.command}\n${job.text}`));
      if (step) return { location: { range: step.range }, what: `Workflow "${wf.name || basename(ctx.file)}" ${step.roles.has('deploy') ? 'deploys' : 'registers'}` };
    }
    return undefined;
  }
  const p = yamlPipeline(yaml, ctx.configKind);
  const s = p?.steps.find((x) => x.roles.has('deploy') || x.roles.has('register'));
  if (p && s?.range) return { location: { range: s.range }, what: `Pipeline step ${s.label} ${s.roles.has('deploy') ? 'deploys' : 'registers'}` };
  return undefined;
}

export default defineRule({
  meta: {
    id: 'undocumented-model',
    area: 'governance',
    defaultSeverity: 'info',
    recommended: false,
    targets: ['yaml', 'python', 'notebook'],
    messages: {
      undocumented:
        '{{what}} a model, but the workspace has no model card (`MODEL_CARD.md`, `model_card.*`, `docs/model*.md`): nobody can tell its intended use, training data, metrics, limits or owner. Add a model card to the repository.',
    },
    docs: {
      summary: 'Models are registered or deployed but the workspace has no model card or model documentation.',
      whatItDoes:
        'Finds files that register or deploy a model: Azure ML deployment and model YAML, KServe and Seldon manifests, Kubernetes workloads running a model server, CI steps and pipeline steps that register or deploy a model, and Python that deploys (`ManagedOnlineDeployment`, SageMaker/Vertex `deploy()`...) or registers (`mlflow.register_model`, `log_model(registered_model_name=...)`, `ml_client.models.create_or_update`, `Model.register`, `aiplatform.Model.upload`). When no file of the workspace documents a model (a `MODEL_CARD.md`/`model_card.*`/`modelcard.md` anywhere, `MODEL.md`, `docs/model*.md`, a README inside `models/<name>/`), it reports once per such file, at the first place it registers or deploys.',
      whyIsThisBad:
        'A model in a registry or behind an endpoint without documentation is a liability: the next team cannot tell what it is for, what data it learned from, how good it is, for whom it fails, or who to call. Model cards (Mitchell et al. 2019) are the accepted minimum, and regulation increasingly asks for them (ML Test Score, Model 1: each model specification is reviewed and documented).',
      example: {
        language: 'yaml',
        file: 'deploy/online-deployment.yml',
        code: '$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json\nname: blue\nendpoint_name: churn-endpoint\nmodel: azureml:churn-rf:4\ninstance_type: Standard_DS3_v2\ninstance_count: 1\n',
      },
      useInstead: {
        language: 'yaml',
        file: 'deploy/online-deployment.yml',
        files: { 'MODEL_CARD.md': '# Model card: churn-rf\n\n- Intended use: rank customers by churn risk.\n- Data: data/raw.csv (DVC).\n- Metrics: ROC AUC 0.84 on a held-out split.\n- Owner: analytics team.\n' },
        code: '$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json\nname: blue\nendpoint_name: churn-endpoint\nmodel: azureml:churn-rf:4\ninstance_type: Standard_DS3_v2\ninstance_count: 1\n',
      } as { language: 'yaml'; file: string; code: string },
      fixSafety: 'No fix: a model card is written by the people who know the model. Cover its intended use, training data, evaluation data and metrics, limitations and owner.',
      notebookBehavior: 'A notebook that deploys or registers a model is reported once, at the first such call.',
      references: [
        'Mitchell et al. 2019, Model Cards for Model Reporting: https://arxiv.org/abs/1810.03993',
        'Breck et al. 2017, The ML Test Score, Model 1',
        'Hugging Face, model cards: https://huggingface.co/docs/hub/model-cards',
      ],
    },
  },
  check(ctx) {
    const evidence = ctx.yaml ? yamlEvidence(ctx) : ctx.python ? pythonEvidence(ctx.python) : undefined;
    if (!evidence || modelDocumentation(ctx.workspace)) return;
    ctx.report({ messageId: 'undocumented', data: { what: evidence.what }, location: evidence.location });
  },
});
