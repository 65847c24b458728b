import type { PythonProgram, PythonUnit, ResolvedCall } from '../../parse/program';
import type { ArgFact, CallFact } from '../../parse/python';
import { defineRule } from '../../rule';
import type { Fix } from '../../types';
import { dirname, joinPath } from '../../workspace/fs';
import { isRemotePath, normalizeLocal, resolverFor, type ValueResolver } from '../lib/data-io';
import { fileArgument, statementAt, unitFlow } from '../lib/dataflow';
import { analyseTraining, callKind, classifyReceiver, codeView, isTestFile, kindedCalls, receiverOf, type KindedCall, type ProgramIndex, type TrainingSite } from '../lib/training';
import { firstIn, importsModule, qualifiedMemo, unitMemo } from '../lib/value-resolver';

// ---------------------------------------------------------------------------
// Saving a model to a file

/** Functions that write an object to a file: object argument index, path argument index. */
const SAVE_FUNCS: Array<[RegExp, number, number]> = [
  [/^(joblib|sklearn\.externals\.joblib|c?[Pp]ickle|_pickle|dill|cloudpickle|torch|skops\.io|compress_pickle)\.(dump|save)$/, 0, 1],
  [/^(tensorflow\.saved_model\.save|(tensorflow\.)?keras\.(models|saving)\.save_model|tf_keras\.models\.save_model|onnx\.(save|save_model))$/, 0, 1],
  [/^mlflow\.\w+\.save_model$/, 0, 1],
];
const SAVE_METHODS = /^(save|save_model|save_pretrained|save_weights)$/;
const OBJECT_KEYWORDS = /^(obj|value|model|sk_model|pytorch_model|keras_model|xgb_model|lgb_model|cb_model|tf_saved_model_dir|python_model|proto)$/;
const PATH_KEYWORDS = /^(filename|file|f|path|filepath|save_directory|export_dir|fname|model_path|save_path|output_path|dst)$/;

/** Names that read as a model, for objects whose training the engine cannot see. */
const MODEL_NAME = /(model|clf|classifier|regressor|estimator|(^|_)net(_|$|\d)|network|booster|(^|_)bst(_|$)|pipeline|(^|_)pipe(_|$)|learner|predictor|forest|(^|_)(xgb|lgbm|gbm|rf|svm|svc|knn|lr|nb|dt)(_|$|\d))/i;
/** Objects that are not models: preprocessing steps, tokenizers, data, figures, reports. */
const NOT_MODEL = /(scal(er|ing)|encod(er|ing)|imput|vectori[sz]|tokeni[sz]|processor|feature_extractor|pca|tfidf|selector|(^|_)(df|data|dataset|ds|fig|figure|plot|img|image|report|snapshot|table|tbl|workspace|project|config|cfg|params|metrics|results?|history|optimizer|optim|scheduler)(_|$))/i;

/** Where a script saves to when the platform that runs it chose the place (and stores the model). */
const PLATFORM_PATH = /AIP_MODEL_DIR|SM_MODEL_DIR|SM_OUTPUT|\/opt\/ml\/model|AZUREML_MODEL_DIR|\b(args|opt|opts|FLAGS|flags|cfg|config|hparams)\.\w+|os\.environ|os\.getenv|environ\.get|(?<!\bos)\.(path|uri)\b(?!\s*\.)|mlpipeline/;

// ---------------------------------------------------------------------------
// Registration anywhere in the file

const REGISTRY_CALL =
  /^(mlflow\.(register_model|(\w+\.)?log_model)|mlflow\.(tracking\.)?MlflowClient\.(create_registered_model|create_model_version)|azure\.ai\.ml\.entities\.Model|azureml\.core\.(model\.)?Model\.register|google\.cloud\.aiplatform\.(\w+\.)*Model\.(upload\w*)|google\.cloud\.aiplatform\.models\.upload|google_cloud_pipeline_components\.\S*ModelUploadOp|sagemaker\.(\w+\.)*(ModelPackage|RegisterModel|ModelStep)|huggingface_hub\.(upload_file|upload_folder|HfApi)|wandb\.(log_artifact|log_model|link_model|Artifact)|neptune\.(init_model|init_model_version)|comet_ml\.\S*(log_model|register_model)|clearml\.OutputModel|bentoml\.\w+\.save_model|dvclive\.\S*log_artifact)$/;
const REGISTRY_METHOD = /^(register_model|create_registered_model|create_model_version|push_to_hub|upload_file|upload_folder|log_artifact|log_model|link_model|register|create_model_package|update_output_model)$/;
const REGISTRY_SHELL = /^(dvc\s+(add|commit|push)|gcloud\s+ai\s+models\s+upload|az\s+ml\s+model\s+(create|register)|mlflow\s+models?\s|huggingface-cli\s+upload|aws\s+sagemaker\s+create-model-package)/;

/** The first call of a unit that registers or versions a model. */
function callRegisters(call: CallFact, q: string): string | undefined {
  if (call.args.some((a) => a.name === 'registered_model_name')) return `${call.callee}(registered_model_name=...)`;
  if (REGISTRY_CALL.test(q)) return call.callee;
  const receiver = receiverOf(call.callee);
  if (REGISTRY_METHOD.test(call.name) && receiver) {
    // `register` is a common word (`atexit.register`): only on a model-ish object or a registry client.
    if (call.name === 'register' && !/model|estimator|step|client|registry/i.test(receiver)) return undefined;
    if ((call.name === 'upload_file' || call.name === 'upload_folder') && !/(hf|hub|api)/i.test(receiver) && !q.startsWith('huggingface_hub')) return undefined;
    if (call.name === 'log_artifact' && !/(run|wandb|live|neptune|experiment|mlflow|task|aim)/i.test(receiver)) return undefined;
    return call.callee;
  }
  // `ml_client.models.create_or_update(Model(...))`.
  if (call.name === 'create_or_update' && /\.models$/.test(receiver)) return call.callee;
  return undefined;
}

const unitRegistrationCall = qualifiedMemo((unit, qualify): string | undefined => {
  for (const call of unit.facts.calls) {
    const hit = callRegisters(call, qualify(call.callee));
    if (hit !== undefined) return hit;
  }
  return undefined;
});

/** `!dvc add ...`, `!gcloud ai models upload ...` in a unit. */
const unitRegistrationShell = unitMemo((unit): string | undefined => {
  for (const magic of unit.magics) {
    if (magic.kind === 'shell' || (magic.kind === 'cell' && /^(bash|sh|script)$/.test(magic.name))) {
      for (const line of magic.command.split('\n')) if (REGISTRY_SHELL.test(line.trim())) return `!${line.trim().split(/\s+/).slice(0, 3).join(' ')}`;
    }
  }
  return undefined;
});

/** How the program registers a model: the first registering call, else the first shell step (per-unit summaries). */
function registration(program: PythonProgram): string | undefined {
  // Every unit's summary (a re-lint recomputes only the edited cell's), then the first one found.
  for (const s of unitRegistrationCall.all(program)) if (s !== undefined) return s;
  return firstIn(program, { at: (p, i) => (p.units[i].magics.length ? unitRegistrationShell.at(p, i) : undefined) }, (s) => s);
}

// ---------------------------------------------------------------------------

interface Save {
  rc: ResolvedCall;
  object: string;
  objectText: string;
  path?: ArgFact;
}

/** A save as a unit's summary holds it: the call, not yet resolved in a program. */
interface UnitSave {
  call: CallFact;
  qualified: string;
  object: string;
  objectText: string;
  path?: ArgFact;
}

function positional(rc: { call: CallFact }): ArgFact[] {
  return rc.call.args.filter((a) => a.name === undefined && !a.text.startsWith('*'));
}

function rootName(text: string): string | undefined {
  const m = /^(?:self\.)?([A-Za-z_]\w*)/.exec(text.trim());
  return m?.[1];
}

/** Last segments of the callees `saveOf` takes (as a method, or qualified to a save function). */
const SAVE_NAMES = new Set(['dump', 'save', 'save_model', 'save_pretrained', 'save_weights']);

/**
 * Calls that save a model object. Only these last segments can: a dotted callee qualifies
 * to its own last segment, an undotted one (a method of nothing) only through a `from`
 * import to a save function.
 */
const SAVES = callKind((call, qualified, dotted) => maySave(call.callee, call.name, qualified, dotted) && saveOf({ call, qualified }) !== undefined, { gate: maySave });

/** The callee part of SAVES (the names above), which `callKind` asks first: `saveOf` reads only the calls it lets through. */
function maySave(callee: string, name: string, qualified: string, dotted: boolean): boolean {
  return dotted ? SAVE_NAMES.has(name) : qualified !== callee && SAVE_NAMES.has(qualified.slice(qualified.lastIndexOf('.') + 1));
}

/** `saveOf` of a call, kept while the call's cell is unchanged (and its callee qualifies the same). */
const savesByCall = new WeakMap<CallFact, UnitSave>();

function unitSave(c: KindedCall): UnitSave {
  let save = savesByCall.get(c.call);
  if (save?.qualified !== c.qualified) savesByCall.set(c.call, (save = saveOf(c)!));
  return save;
}

function saveOf(rc: { call: CallFact; qualified: string }): UnitSave | undefined {
  for (const [re, oi, pi] of SAVE_FUNCS) {
    if (!re.test(rc.qualified)) continue;
    const obj = rc.call.args.find((a) => a.name !== undefined && OBJECT_KEYWORDS.test(a.name)) ?? positional(rc)[oi];
    const path = rc.call.args.find((a) => a.name !== undefined && PATH_KEYWORDS.test(a.name)) ?? positional(rc)[pi];
    const object = obj && rootName(obj.text);
    return object ? { call: rc.call, qualified: rc.qualified, object, objectText: obj.text, path } : undefined;
  }
  if (!SAVE_METHODS.test(rc.call.name)) return undefined;
  const receiver = receiverOf(rc.call.callee);
  const object = rootName(receiver);
  if (!object || receiver.includes('(') && !/\.(best_estimator_|model|module)$/.test(receiver)) return undefined;
  // `np.save`, `torch.save` and other module functions are not methods of a model.
  if (rc.qualified !== rc.call.callee || /^(np|numpy|pd|pandas|plt|os|json|yaml|torch|tf|keras|joblib|pickle|mlflow|wandb|shutil)$/.test(object)) return undefined;
  const path = rc.call.args.find((a) => a.name !== undefined && PATH_KEYWORDS.test(a.name)) ?? positional(rc)[0];
  return { call: rc.call, qualified: rc.qualified, object, objectText: receiver, path };
}

/** Names that hold a model this program trains. */
function trainedNames(index: ProgramIndex, sites: readonly TrainingSite[]): Set<string> {
  const out = new Set<string>();
  for (const s of sites) {
    if (!s.local) continue;
    if (s.receiver) {
      const r = rootName(s.receiver);
      if (r) out.add(r);
      // `Trainer(model=model, ...)`: the model it trains.
      const cls = classifyReceiver(index, s.receiver, s.call);
      for (const a of cls.ctor?.call.args ?? []) if ((a.name === 'model' || a.name === 'module') && a.kind === 'identifier') out.add(a.text);
    }
    for (const t of s.call?.call.assignedTo ?? []) out.add(t);
  }
  return out;
}

/** The MLflow flavor for a model object, from how it was built or saved. */
function flavorOf(index: ProgramIndex, save: Save): string | undefined {
  const q = save.rc.qualified;
  if (/^torch\./.test(q)) return 'pytorch';
  const cls = classifyReceiver(index, save.object, save.rc);
  const ctor = cls.qualifiedCtor ?? '';
  const m = /^(sklearn|xgboost|lightgbm|catboost|tensorflow|keras|tf_keras|torch)(\.|$)/.exec(ctor);
  if (m) return { sklearn: 'sklearn', xgboost: 'xgboost', lightgbm: 'lightgbm', catboost: 'catboost', tensorflow: 'tensorflow', keras: 'keras', tf_keras: 'tensorflow', torch: 'pytorch' }[m[1]];
  if (/^(tensorflow\.saved_model|(tensorflow\.)?keras\.)/.test(q)) return 'tensorflow';
  if (/^(joblib|pickle|skops)/.test(q) && importsOf(index.program).sklearn) return 'sklearn';
  return undefined;
}

/** The name a unit binds `import mlflow` to. */
const unitMlflowAlias = unitMemo((unit): string | undefined => unit.facts.imports.find((imp) => imp.module === 'mlflow' && !imp.name)?.alias);

const programImports = new WeakMap<PythonProgram, { sklearn: boolean; mlflow: string | undefined }>();

/** What the fixes ask of the program's imports, once per program (every save asks). */
function importsOf(program: PythonProgram): { sklearn: boolean; mlflow: string | undefined } {
  let v = programImports.get(program);
  if (!v) {
    // Only units with imports can answer.
    v = { sklearn: importsModule(program, ['sklearn']), mlflow: firstIn(program, { at: (p, i) => (p.units[i].facts.imports.length ? unitMlflowAlias.at(p, i) : undefined) }, (a) => a) };
    programImports.set(program, v);
  }
  return v;
}

function mlflowAlias(program: PythonProgram): string | undefined {
  return importsOf(program).mlflow;
}

function registeredName(pathText: string | undefined, object: string): string {
  const stem = (pathText ?? '').replace(/\/+$/, '').split('/').pop()?.replace(/\.[\w.]+$/, '') ?? '';
  const name = /^[\w-]{2,}$/.test(stem) ? stem : object;
  return name.replace(/_/g, '-');
}

function templateFix(index: ProgramIndex, save: Save, pathText: string | undefined): Fix[] {
  const flavor = flavorOf(index, save);
  if (!flavor) return [];
  const unit: PythonUnit = save.rc.unit;
  const st = statementAt(unitFlow(unit), save.rc.call.span.start);
  const end = st ? st.end : save.rc.call.span.end;
  const lineEnd = unit.text.indexOf('\n', end);
  const at = lineEnd < 0 ? unit.text.length : lineEnd;
  const ls = unit.text.lastIndexOf('\n', (st?.start ?? save.rc.call.span.start) - 1) + 1;
  const indent = /^[ \t]*/.exec(unit.text.slice(ls))?.[0] ?? '';
  const alias = mlflowAlias(index.program);
  const mlflow = alias ?? 'mlflow';
  const lines = [...(alias ? [] : ['import mlflow']), `${mlflow}.${flavor}.log_model(${save.object}, "model", registered_model_name="${registeredName(pathText, save.object)}")`];
  const newText = lines.map((l) => '\n' + indent + l).join('');
  return [{ title: `Register the model in MLflow (mlflow.${flavor}.log_model)`, safety: 'unsafe', edits: [{ cell: unit.cell, range: unit.lines.rangeOf(at, at), newText }] }];
}

/** The source text of a path expression and of the assignments it reads (a few levels deep). */
function provenance(resolver: ValueResolver, unit: PythonUnit, text: string, offset: number, depth = 0): string {
  let out = text;
  if (depth > 3 || text.length > 400) return out;
  for (const m of text.matchAll(/(?<![.\w])([A-Za-z_]\w*)/g)) {
    const a = resolver.assignmentOf(m[1], unit, offset);
    if (a && !(a.unit === unit && a.valueSpan.start <= offset && offset < a.valueSpan.end)) out += '\n' + provenance(resolver, a.unit, a.unit.text.slice(a.valueSpan.start, a.valueSpan.end), a.valueSpan.start, depth + 1);
  }
  return out;
}

/** Parameters of the functions around a call (innermost first). */
function enclosingParams(rc: ResolvedCall): Set<string> {
  const flow = unitFlow(rc.unit);
  const out = new Set<string>();
  let fn = statementAt(flow, rc.call.span.start)?.fn ?? -1;
  for (let guard = 0; fn >= 0 && guard < 20; guard++) {
    const def = flow.stmts.find((s) => s.defId === fn);
    if (!def) break;
    for (const p of def.params ?? []) if (p !== 'self' && p !== 'cls') out.add(p);
    fn = def.fn;
  }
  return out;
}

function shorten(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > 50 ? one.slice(0, 49) + '…' : one;
}

export default defineRule({
  meta: {
    id: 'unregistered-model',
    area: 'governance',
    defaultSeverity: 'warning',
    recommended: false,
    targets: ['notebook', 'python'],
    messages: {
      unregistered:
        '`{{call}}` saves the trained model `{{object}}` only to a local file ({{path}}), and nothing in this {{container}} registers or versions it: no name, version or lineage to deploy, audit or roll back. Register it (MLflow `log_model(..., registered_model_name=...)`, Azure ML `ml_client.models.create_or_update`, Vertex `Model.upload`, a SageMaker model package) or version the file with DVC.',
    },
    docs: {
      summary: 'A trained model is saved only as a local file and never registered in a model registry.',
      whatItDoes:
        'Finds saves of a model this notebook or script trains (`joblib.dump`, `pickle.dump`, `torch.save`, `model.save`, `save_model`, `save_pretrained`, `mlflow.<flavor>.save_model`, `tf.saved_model.save`, `onnx.save`, ...) to a local path, and reports them when nothing in the same file registers or versions a model: no MLflow `log_model` / `register_model` / `registered_model_name=`, Azure ML `Model` + `ml_client.models.create_or_update` or `Model.register`, Vertex `Model.upload*`, SageMaker `ModelPackage` / `RegisterModel` / `.register()`, Hugging Face `push_to_hub` / hub uploads, W&B / Neptune / Comet / ClearML model artifacts, BentoML model store, and no `dvc add` / `gcloud ai models upload` / `az ml model create` shell step. A save to a path that a DVC stage or `.dvc` file versions, to a remote URI, or to a place the platform running the script chose (`AIP_MODEL_DIR`, `SM_MODEL_DIR`, `/opt/ml/model`, a CLI argument, a pipeline output artifact\'s `.path`) is not reported. Preprocessing objects (scalers, encoders, tokenizers) are not models.',
      whyIsThisBad:
        'A model file on a laptop or in a container has no version, no owner, no link to the data and code that produced it, and no history: nobody can tell which model is serving, reproduce it, audit it, or roll back to the previous one when the new one misbehaves (ML Test Score, Model 1 and Infra 7). A registry (or at least DVC) gives every model a name, a version and lineage.',
      example: {
        language: 'python',
        code: 'import joblib\nfrom sklearn.ensemble import RandomForestClassifier\n\nmodel = RandomForestClassifier(n_estimators=200, random_state=0)\nmodel.fit(X_train, y_train)\njoblib.dump(model, "models/churn_rf.joblib")\n',
      },
      useInstead: {
        language: 'python',
        code: 'import mlflow\nfrom sklearn.ensemble import RandomForestClassifier\n\nwith mlflow.start_run():\n    model = RandomForestClassifier(n_estimators=200, random_state=0)\n    model.fit(X_train, y_train)\n    mlflow.sklearn.log_model(model, "model", registered_model_name="churn-rf")\n',
      },
      fixSafety:
        'Unsafe template, offered when the model\'s library is known (scikit-learn, XGBoost, LightGBM, CatBoost, PyTorch, TensorFlow / Keras): it adds `mlflow.<flavor>.log_model(<model>, "model", registered_model_name="<file name>")` after the save (and `import mlflow` when the file lacks it), named after the file the model was saved to. It changes behaviour: it needs MLflow installed and a tracking server with a model registry (`MLFLOW_TRACKING_URI`), and creates a new registered version on every run.',
      notebookBehavior: 'The whole notebook counts: a registration in any cell silences the rule. `%%writefile` scripts are read as part of the notebook; a script that saves to the place its platform gives it is left to the notebook that submits it.',
      references: [
        'Breck et al. 2017, The ML Test Score (Model 1: model specs are reviewed and submitted; Infra 7: models can be rolled back)',
        'MLflow Model Registry: https://mlflow.org/docs/latest/model-registry.html',
        'Azure ML: register models: https://learn.microsoft.com/azure/machine-learning/how-to-manage-models',
        'Vertex AI Model Registry: https://cloud.google.com/vertex-ai/docs/model-registry/introduction',
        'SageMaker Model Registry: https://docs.aws.amazon.com/sagemaker/latest/dg/model-registry.html',
      ],
    },
  },
  check(ctx) {
    if (isTestFile(ctx.file)) return;
    const view = codeView(ctx);
    if (!view) return;
    const program = view.program;
    const kinded = kindedCalls(program);
    if (!kinded.some((l) => l.some((c) => c.kinds & SAVES))) return;
    const { index, sites } = analyseTraining(program);
    if (!sites.some((s) => s.local)) return;
    if (registration(program)) return;
    const saves: Save[] = [];
    kinded.forEach((list, u) => {
      for (const c of list) {
        if (!(c.kinds & SAVES)) continue;
        const s = unitSave(c);
        saves.push({ rc: index.resolvedCall(program.units[u], s.call, s.qualified), object: s.object, objectText: s.objectText, path: s.path });
      }
    });
    const trained = trainedNames(index, sites);
    const resolver = resolverFor(program);
    const dir = dirname(ctx.file);
    const reported = new Set<string>();
    for (const save of saves) {
      const { object } = save;
      if (NOT_MODEL.test(object)) continue;
      const cls = classifyReceiver(index, object, save.rc);
      if (cls.kind === 'transformer') continue;
      if (!trained.has(object) && cls.kind !== 'estimator' && !MODEL_NAME.test(object)) continue;
      const file = fileArgument(save.rc, save.path);
      const value = file ? resolver.resolveArg(save.rc.unit, file) : undefined;
      if (file) {
        // Where the path comes from: a CLI argument, an environment variable or a parameter
        // means the platform or the caller chose the place (and stores the model).
        const prov = provenance(resolver, save.rc.unit, file.text, file.valueSpan.start);
        if (PLATFORM_PATH.test(prov)) continue;
        if (!value?.complete) {
          const params = enclosingParams(save.rc);
          if ([...prov.matchAll(/(?<![.\w])([A-Za-z_]\w*)/g)].some((m) => params.has(m[1]))) continue;
        }
      }
      if (value?.complete) {
        if (isRemotePath(value.text)) continue;
        const rel = normalizeLocal(value.text);
        if (!rel.startsWith('/') && (ctx.workspace.outputOf(joinPath(dir, rel)) || ctx.workspace.outputOf(joinPath(rel)))) continue;
      } else if (value && /^(gs|s3|abfss?|az|hdfs|dbfs|wasbs?):\/\//.test(value.text)) {
        continue;
      }
      const pathText = value?.complete ? value.text : undefined;
      // The same model saved again to the same file (a re-run cell): one finding.
      if (pathText !== undefined) {
        const key = `${object}\u0000${normalizeLocal(pathText)}`;
        if (reported.has(key)) continue;
        reported.add(key);
      }
      const path = pathText !== undefined ? `"${shorten(pathText)}"` : file ? `\`${shorten(file.text)}\`` : 'a local file';
      const fixes = ctx.yaml ? [] : templateFix(index, save, pathText);
      ctx.report({
        messageId: 'unregistered',
        data: { call: save.rc.call.callee.length > 40 ? save.rc.call.name : save.rc.call.callee, object, path, container: ctx.notebook ? 'notebook' : 'file' },
        location: view.locate(save.rc.unit, save.rc.call.calleeSpan),
        ...(fixes.length ? { fixes } : {}),
      });
    }
  },
});
