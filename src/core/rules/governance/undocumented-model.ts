import { isMap, isScalar, type Node as YamlNode } from 'yaml';
import { nodeRange, scalarString } from '../../parse/yaml';
import { unitLocation, type PythonProgram } from '../../parse/program';
import { defineRule, type RuleContext } from '../../rule';
import type { Location } from '../../types';
import { basename } from '../../workspace/fs';
import type { WorkspaceIndex } from '../../workspace/workspace-index';
import { pythonDeployments } from '../lib/deployment';
import { analyseTraining } from '../lib/training';
import { ciWorkflow, hasModelContext, pythonPipelines, servesModel, yamlPipeline } from '../lib/pipelines';

/** Model documentation, by file name: a model card, `MODEL.md`, `docs/model*`, a README beside a model. */
const MODEL_DOC = [
  /(^|\/)[^/]*model[-_ ]?cards?[^/]*$/i,
  /(^|\/)modelcards?(\.[\w.]+)?$/i,
  /(^|\/)models?\.md$/i,
  /(^|\/)docs?\/(.*\/)?models?([-_][^/]*)?(\.(md|rst|html|txt)|\/[^/]+\.(md|rst))$/i,
  /(^|\/)models?\/[^/]+\/README\.md$/i,
];

export function modelDocumentation(ws: WorkspaceIndex): string | undefined {
  return ws.files().find((f) => MODEL_DOC.some((re) => re.test(f)));
}

const REGISTER_CALL = /^(mlflow\.register_model|mlflow\.(tracking\.)?MlflowClient\(\)\.(create_registered_model|create_model_version)|azureml\.core(\.model)?\.Model\.register|google\.cloud\.aiplatform\.Model\.upload|sagemaker\.\w+.*\.register)$/;

/** A model taken as is from a public catalog (Azure ML / Hugging Face registries, Vertex Model Garden): its card lives there. */
const CATALOG_MODEL = /azureml:\/\/registries\/[^/]+\/models\/|\bpublishers\/[\w-]+\/models\/|model[-_ ]?garden/i;
const CATALOG_CODE = /registry_name\s*=\s*["'](azureml[\w-]*|HuggingFace|nvidia-ai|azure-openai)["']|\bmodel_garden\b|publishers\/[\w-]+\/models\//;

function catalogModelOnly(program: PythonProgram): boolean {
  if (!program.units.some((u) => CATALOG_CODE.test(u.text) || u.facts.strings.some((x) => CATALOG_MODEL.test(x.value)))) return false;
  // A fine-tuned catalog model is the workspace's own model: it needs its own card.
  const code = (t: string): string => t.replace(/#[^\n]*/g, '');
  if (program.units.some((u) => /fine[-_ ]?tun|\bpeft\b|\blora\b/i.test(code(u.text)))) return false;
  return analyseTraining(program).sites.length === 0;
}

/** Where Python registers or deploys a model. */
function pythonEvidence(program: PythonProgram): { location: Location; what: string } | undefined {
  if (catalogModelOnly(program)) return undefined;
  const dep = pythonDeployments(program).find((d) => !d.endpointOnly);
  if (dep) return { location: unitLocation(dep.unit, dep.span), what: `${dep.what} deploys` };
  for (const rc of program.calls()) {
    const q = rc.qualified;
    const registersByArg = /(^|\.)log_model$/.test(rc.call.name) && /^mlflow\./.test(q) && rc.call.args.some((a) => a.name === 'registered_model_name' && a.text !== 'None');
    const azureModel = rc.call.name === 'create_or_update' && /(^|\.)models\.create_or_update$/.test(rc.call.callee) && program.importsAny(['azure.ai.ml']);
    const clientRegister = /^(create_registered_model|create_model_version)$/.test(rc.call.name) && program.importsAny(['mlflow']);
    if (REGISTER_CALL.test(q) || registersByArg || azureModel || clientRegister) return { location: unitLocation(rc.unit, rc.call.calleeSpan), what: `${rc.call.callee.length > 40 ? rc.call.name : rc.call.callee}(...) registers` };
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
