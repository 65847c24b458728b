import rule from '../../src/core/rules/validation/deploy-without-quality-gate';
import { ruleTester } from '../helpers/rule-tester';

const AZURE_PIPELINE = (jobs: string): string =>
  `$schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json\ntype: pipeline\ndisplay_name: churn-training\njobs:\n${jobs}`;

ruleTester(rule, {
  valid: [
    {
      name: 'GitHub: deploy job needs an evaluation job',
      file: '.github/workflows/train.yml',
      text: 'on: push\njobs:\n  train:\n    runs-on: ubuntu-22.04\n    steps:\n      - run: python src/train.py\n  evaluate:\n    needs: train\n    runs-on: ubuntu-22.04\n    steps:\n      - run: python src/evaluate.py --min-auc 0.8\n  deploy:\n    needs: evaluate\n    runs-on: ubuntu-22.04\n    steps:\n      - run: az ml online-deployment create -f deploy/blue.yml\n',
    },
    {
      name: 'GitHub: a quality-gate step before the deploy step in the same job',
      file: '.github/workflows/train.yml',
      text: 'on: push\njobs:\n  train:\n    runs-on: ubuntu-22.04\n    steps:\n      - run: dvc repro\n      - name: Quality gate\n        run: python -c "import json,sys; sys.exit(json.load(open(\'metrics.json\'))[\'auc\'] < 0.8)"\n      - run: az ml online-deployment create -f deploy/blue.yml\n',
    },
    {
      name: 'GitHub: dvc repro runs an evaluation stage',
      file: '.github/workflows/train.yml',
      text: 'on: push\njobs:\n  train:\n    runs-on: ubuntu-22.04\n    steps:\n      - run: dvc repro\n      - run: mlem deployment run churn-api\n',
      files: { 'dvc.yaml': 'stages:\n  train:\n    cmd: python train.py\n  evaluate:\n    cmd: python evaluate.py\n    metrics: [metrics.json]\n' },
    },
    {
      name: 'GitHub: started by hand (a promotion), the person is the gate',
      file: '.github/workflows/deploy.yml',
      text: 'on:\n  workflow_dispatch:\njobs:\n  deploy:\n    runs-on: ubuntu-22.04\n    steps:\n      - run: python src/train.py\n      - run: az ml online-deployment create -f deploy/blue.yml\n',
    },
    {
      name: 'GitHub: deploys a model trained elsewhere (not judged here)',
      file: '.github/workflows/deploy.yml',
      text: 'on: push\njobs:\n  deploy:\n    runs-on: ubuntu-22.04\n    steps:\n      - run: az ml online-deployment create -f deploy/blue.yml\n',
    },
    {
      name: 'GitHub: deploy step runs only when the metric passed',
      file: '.github/workflows/train.yml',
      text: 'on: push\njobs:\n  train:\n    runs-on: ubuntu-22.04\n    steps:\n      - run: python src/train.py\n      - if: steps.check.outputs.passed == \'true\'\n        run: az ml online-deployment create -f deploy/blue.yml\n',
    },
    {
      name: 'Azure ML pipeline with an evaluation component before registration',
      file: 'pipelines/train.yml',
      text: AZURE_PIPELINE(
        '  train_job:\n    type: command\n    component: ./components/train.yml\n  eval_job:\n    type: command\n    component: ./components/evaluate.yml\n    inputs:\n      model: ${{parent.jobs.train_job.outputs.model}}\n  register_job:\n    type: command\n    component: ./components/register.yml\n    inputs:\n      model: ${{parent.jobs.train_job.outputs.model}}\n      verdict: ${{parent.jobs.eval_job.outputs.verdict}}\n',
      ),
    },
    {
      name: 'KFP: deploy inside dsl.Condition on the metric',
      file: 'pipelines/train.py',
      code: 'from kfp import dsl\n\nfrom components import deploy_op, evaluate_op, train_op\n\n\n@dsl.pipeline(name="churn")\ndef churn():\n    model = train_op()\n    metrics = evaluate_op(model=model.outputs["model"])\n    with dsl.Condition(metrics.outputs["auc"] > 0.8):\n        deploy_op(model=model.outputs["model"])\n',
    },
    {
      name: 'ZenML: a promoter fed with the accuracy gates registration',
      file: 'pipelines/training.py',
      code: 'from zenml import pipeline\n\nfrom steps import model_promoter, model_register, model_trainer\n\n\n@pipeline\ndef training():\n    _, accuracy = model_trainer()\n    is_promoted = model_promoter(accuracy=accuracy)\n    model_register(is_promoted)\n',
    },
    {
      name: 'Airflow: a branch operator decides',
      file: 'dags/retrain.py',
      code: 'from airflow import DAG\nfrom airflow.operators.python import BranchPythonOperator, PythonOperator\n\nwith DAG(dag_id="retrain", schedule="@weekly") as dag:\n    train = PythonOperator(task_id="train_model", python_callable=lambda: None)\n    check = BranchPythonOperator(task_id="check_auc", python_callable=lambda: "deploy_model")\n    deploy = PythonOperator(task_id="deploy_model", python_callable=lambda: None)\n    train >> check >> deploy\n',
    },
    {
      name: 'SageMaker Pipelines: ConditionStep before RegisterModel',
      file: 'pipelines/sm.py',
      code: 'from sagemaker.workflow.condition_step import ConditionStep\nfrom sagemaker.workflow.pipeline import Pipeline\nfrom sagemaker.workflow.step_collections import RegisterModel\nfrom sagemaker.workflow.steps import TrainingStep\n\ntrain = TrainingStep(name="Train", estimator=est)\nregister = RegisterModel(name="Register", estimator=est)\ncond = ConditionStep(name="CheckAUC", conditions=[c], if_steps=[register])\npipeline = Pipeline(name="churn", steps=[train, cond])\n',
    },
    {
      name: 'MLflow Recipe with validation criteria',
      file: 'recipe.yaml',
      text: 'recipe: "classification/v1"\nsteps:\n  train:\n    using: custom\n  evaluate:\n    validation_criteria:\n      - metric: roc_auc\n        threshold: 0.8\n  register:\n    allow_non_validated_model: false\n',
    },
    {
      name: 'registering a data asset or an index is not registering a model',
      file: 'pipelines/rag.py',
      code: 'from azure.ai.ml.dsl import pipeline\n\n\n@pipeline()\ndef rag(data):\n    index = create_index(data=data)\n    register_mlindex(index=index)\n    register_dataset(data=data)\n',
    },
    'from zenml import step\n\n\n@step\ndef deploy_model(model):\n    return model\n',
  ],
  invalid: [
    {
      name: 'GitHub: trains then deploys in one job',
      file: '.github/workflows/train.yml',
      text: 'name: train-and-deploy\non:\n  push:\n    branches: [main]\njobs:\n  train:\n    runs-on: ubuntu-22.04\n    steps:\n      - name: Train\n        run: python src/train.py\n      - name: Deploy\n        run: az ml online-deployment create -f deploy/blue.yml --all-traffic\n',
      errors: [
        {
          messageId: 'workflow',
          line: 11,
          column: 15,
          endColumn: 21,
          related: ['The model is trained here.'],
          message:
            'Workflow "train-and-deploy" deploys the model it trains ("Deploy") with no evaluation step before it that can stop a bad model. Evaluate on held-out data first and fail the job when the metric is below a threshold or worse than production.',
        },
      ],
    },
    {
      name: 'GitHub: deploy job needs only the training job',
      file: '.github/workflows/train.yml',
      text: 'on: push\njobs:\n  train:\n    runs-on: ubuntu-22.04\n    steps:\n      - run: dvc repro\n  deploy:\n    needs: train\n    runs-on: ubuntu-22.04\n    steps:\n      - run: mlem deployment run churn-api\n',
      files: { 'dvc.yaml': 'stages:\n  train:\n    cmd: python train.py\n' },
      errors: [{ messageId: 'workflow', line: 11, column: 9, related: ['The model is trained in this job.'] }],
    },
    {
      name: 'Azure ML pipeline: AutoML then register',
      file: 'pipelines/automl.yml',
      text: AZURE_PIPELINE(
        '  automl_node:\n    type: automl\n    task: classification\n    primary_metric: accuracy\n  register_model_node:\n    type: command\n    component: file:./components/register_model.yaml\n    inputs:\n      model_input_path: ${{parent.jobs.automl_node.outputs.best_model}}\n',
      ),
      errors: [{ messageId: 'pipeline', line: 9, column: 3, messageIncludes: 'registers a model (register_model_node)', related: ['The model is trained here.'] }],
    },
    {
      name: 'Airflow: register then deploy, nothing evaluates',
      file: 'dags/deploy.py',
      code: 'from airflow.decorators import dag\nfrom mlflow_provider.operators.deployment import CreateDeploymentOperator\nfrom mlflow_provider.operators.registry import CreateModelVersionOperator\n\n\n@dag(schedule=None)\ndef deploy_workflow():\n    version = CreateModelVersionOperator(task_id="create_model_version", name="churn", source="runs:/abc/model")\n    deploy = CreateDeploymentOperator(task_id="create_deployment", name="churn", model_uri="models:/churn/1", target_uri="sagemaker")\n    version >> deploy\n\n\ndeploy_workflow()\n',
      errors: [{ messageId: 'pipeline', line: 8, column: 15, endColumn: 41, messageIncludes: 'Pipeline deploy_workflow registers a model (CreateModelVersionOperator("create_model_version"))' }],
    },
    {
      name: 'ZenML: train then deploy',
      file: 'pipelines/training.py',
      code: 'from zenml import pipeline\n\nfrom steps import deploy_model, load_data, train_model\n\n\n@pipeline\ndef training():\n    data = load_data()\n    model = train_model(data)\n    deploy_model(model)\n',
      errors: [{ messageId: 'pipeline', line: 10, column: 5, messageIncludes: 'deploys a model (deploy_model())', related: ['The model is trained here.'] }],
    },
    {
      name: 'Vertex pipeline in a notebook: upload and deploy without evaluation',
      cells: [
        'from google_cloud_pipeline_components.v1.endpoint import EndpointCreateOp, ModelDeployOp\nfrom google_cloud_pipeline_components.v1.model import ModelUploadOp\nfrom kfp import dsl',
        '@dsl.pipeline(name="churn")\ndef churn(project: str):\n    train = custom_train_op(project=project)\n    upload = ModelUploadOp(project=project, unmanaged_container_model=train.outputs["model"])\n    endpoint = EndpointCreateOp(project=project, display_name="churn")\n    ModelDeployOp(endpoint=endpoint.outputs["endpoint"], model=upload.outputs["model"])',
      ],
      errors: [{ messageId: 'pipeline', cell: 1, line: 4, column: 14, messageIncludes: 'registers a model (ModelUploadOp())' }],
    },
    {
      name: 'MLflow Recipe registering non-validated models',
      file: 'recipe.yaml',
      text: 'recipe: "regression/v1"\nsteps:\n  train:\n    using: custom\n  evaluate:\n    validation_criteria:\n      - metric: rmse\n        threshold: 10\n  register:\n    allow_non_validated_model: true\n',
      errors: [{ messageId: 'pipeline', line: 9, column: 3 }],
    },
  ],
});
