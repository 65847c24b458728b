import * as assert from 'node:assert/strict';
import rule, { modelDocumentation } from '../../src/core/rules/governance/undocumented-model';
import { MemoryFileSystem } from '../../src/core/workspace/fs';
import { WorkspaceIndex } from '../../src/core/workspace/workspace-index';
import { editSession } from '../helpers/edit-session';
import { ruleTester } from '../helpers/rule-tester';

const DEPLOYMENT =
  '$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json\nname: blue\nendpoint_name: churn-endpoint\nmodel: azureml:churn-rf:4\ninstance_type: Standard_DS3_v2\n';
const CARD = '# Model card: churn-rf\n\nIntended use, data, metrics, limits, owner.\n';

ruleTester(rule, {
  valid: [
    { name: 'MODEL_CARD.md at the root', file: 'deploy/blue.yml', text: DEPLOYMENT, files: { 'MODEL_CARD.md': CARD } },
    { name: 'a model card in docs/', file: 'deploy/blue.yml', text: DEPLOYMENT, files: { 'docs/model.md': CARD } },
    { name: 'a model card JSON (Model Card Toolkit)', file: 'deploy/blue.yml', text: DEPLOYMENT, files: { 'reports/churn_model_card.json': '{}' } },
    { name: 'a README beside the model (Hugging Face style)', file: 'deploy/blue.yml', text: DEPLOYMENT, files: { 'models/churn-rf/README.md': CARD } },
    { name: 'a deployment of a catalog model as is', file: 'deploy/blue.yml', text: DEPLOYMENT.replace('azureml:churn-rf:4', 'azureml://registries/azureml/models/distilbert-base-uncased/versions/3') },
    {
      name: 'a notebook deploying a Model Garden model without training it',
      cells: ['from google.cloud import aiplatform\nfrom vertexai import model_garden', 'model = model_garden.OpenModel("google/gemma3@gemma-3-1b-it")\nendpoint = model.deploy(machine_type="g2-standard-12")'],
    },
    { name: 'an endpoint only', file: 'deploy/endpoint.yml', text: '$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineEndpoint.schema.json\nname: churn\nauth_mode: key\n' },
    { name: 'training without registering', code: 'from sklearn.linear_model import LogisticRegression\nmodel = LogisticRegression().fit(X, y)\n' },
    { name: 'log_model without registering', code: 'import mlflow\nmlflow.sklearn.log_model(model, "model")\n' },
    { name: 'a generic Kubernetes deployment', file: 'k8s/web.yaml', text: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.27\n' },
  ],
  invalid: [
    {
      name: 'an Azure ML deployment',
      file: 'deploy/blue.yml',
      text: DEPLOYMENT,
      errors: [
        {
          messageId: 'undocumented',
          line: 4,
          column: 1,
          endColumn: 6,
          message:
            'This deployment serves a model, but the workspace has no model card (`MODEL_CARD.md`, `model_card.*`, `docs/model*.md`): nobody can tell its intended use, training data, metrics, limits or owner. Add a model card to the repository.',
        },
      ],
    },
    {
      name: 'a KServe InferenceService, reported at its kind',
      file: 'k8s/isvc.yaml',
      text: 'apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata:\n  name: churn\nspec:\n  predictor:\n    sklearn:\n      storageUri: gs://acme-models/churn/4\n',
      errors: [{ messageId: 'undocumented', line: 2, column: 1 }],
    },
    {
      name: 'a README that is not a model card does not count',
      file: 'deploy/blue.yml',
      text: DEPLOYMENT,
      files: { 'README.md': '# churn\n' },
      errors: [{ messageId: 'undocumented', line: 4, column: 1 }],
    },
    {
      name: 'a notebook registering with MLflow, reported once',
      cells: ['import mlflow', 'mlflow.sklearn.log_model(model, "model", registered_model_name="churn-rf")', 'mlflow.register_model("runs:/abc/model", "churn-rf")'],
      errors: [{ messageId: 'undocumented', cell: 1, line: 1, column: 1, endColumn: 25, messageIncludes: 'mlflow.sklearn.log_model(...) registers a model' }],
    },
    {
      name: 'a SageMaker deploy in a module',
      code: 'from sagemaker.sklearn import SKLearnModel\n\nmodel = SKLearnModel(model_data="s3://acme/model.tar.gz", role=role, entry_point="serve.py")\npredictor = model.deploy(initial_instance_count=1, instance_type="ml.m5.large")\n',
      errors: [{ messageId: 'undocumented', line: 4, column: 13, messageIncludes: 'model.deploy(...) deploys a model' }],
    },
    {
      name: 'a CI step that deploys',
      file: '.github/workflows/deploy.yml',
      text: 'on: push\njobs:\n  deploy:\n    runs-on: ubuntu-22.04\n    steps:\n      - name: Deploy the model\n        run: az ml online-deployment create -f deploy/blue.yml\n',
      errors: [{ messageId: 'undocumented', line: 6, column: 15, messageIncludes: 'Workflow "deploy.yml" deploys a model' }],
    },
    {
      name: 'a pipeline step that registers',
      file: 'pipelines/training.py',
      code: 'from zenml import pipeline\n\nfrom steps import model_register, model_trainer\n\n\n@pipeline\ndef training():\n    model_register(model_trainer())\n',
      errors: [{ messageId: 'undocumented', line: 8, column: 5, messageIncludes: 'Pipeline step model_register() registers a model' }],
    },
  ],
});

describe('undocumented-model: what counts as model documentation', () => {
  const doc = async (files: Record<string, string>): Promise<string | undefined> => modelDocumentation(await WorkspaceIndex.build(new MemoryFileSystem(files)));
  it('recognises model cards by name', async () => {
    assert.equal(await doc({ 'model_card.md': '' }), 'model_card.md');
    assert.equal(await doc({ 'docs/models/churn.md': '' }), 'docs/models/churn.md');
    assert.equal(await doc({ 'MODEL.md': '' }), 'MODEL.md');
    assert.equal(await doc({ 'docs/model-churn.md': '' }), 'docs/model-churn.md');
    assert.equal(await doc({ 'docs/model-evaluation.ipynb': '' }), undefined);
    assert.equal(await doc({ 'notebooks/model_evaluation.ipynb': '', 'README.md': '' }), undefined);
  });
});

describe('undocumented-model after one-cell edits', () => {
  it('follows the register call and the imports it is qualified through', async () => {
    const lint = await editSession('undocumented-model');
    const register = 'register_model(f"runs:/{run_id}/model", "churn")';
    assert.deepEqual(await lint(['from mlflow import register_model', register]), ['1:1:1 undocumented']);
    // Another name bound by the import: the call is no longer MLflow's.
    assert.deepEqual(await lint(['from my_registry import register_model', register]), []);
    assert.deepEqual(await lint(['from mlflow import register_model', 'import os', register]), ['2:1:1 undocumented']);
    assert.deepEqual(await lint(['import mlflow', 'mlflow.log_model(model, "m", registered_model_name=None)']), []);
    assert.deepEqual(await lint(['import mlflow', 'mlflow.log_model(model, "m", registered_model_name="churn")']), ['1:1:1 undocumented']);
  });

  it('a catalog model used as is, then fine-tuned in another cell', async () => {
    const lint = await editSession('undocumented-model');
    const cells = ['from azure.ai.ml import MLClient', 'model = ml_client.models.get("phi-3", registry_name="azureml")', 'ml_client.models.create_or_update(model)'];
    assert.deepEqual(await lint(cells), []);
    assert.deepEqual(await lint([...cells, '# then fine-tune it with peft']), []);
    assert.deepEqual(await lint([...cells, 'from peft import LoraConfig']), ['2:1:1 undocumented']);
  });
});
