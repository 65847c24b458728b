import * as assert from 'node:assert/strict';
import rule from '../../src/core/rules/validation/pipeline-without-validation-step';
import unvalidatedDataLoad from '../../src/core/rules/validation/unvalidated-data-load';
import { lintCase, ruleTester } from '../helpers/rule-tester';

const AZURE_PIPELINE = (jobs: string): string =>
  `$schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json\ntype: pipeline\ndisplay_name: churn-training\njobs:\n${jobs}`;

ruleTester(rule, {
  valid: [
    {
      name: 'KFP: a validation component before training',
      file: 'pipelines/training.py',
      code: 'from kfp import dsl\n\nfrom components import ingest_data, train_model, validate_data\n\n\n@dsl.pipeline(name="churn-training")\ndef churn_training(source: str):\n    data = ingest_data(source=source)\n    checked = validate_data(dataset=data.outputs["dataset"])\n    train_model(dataset=checked.outputs["dataset"])\n',
    },
    {
      name: 'ZenML: a bare `validate` step before training is data validation',
      file: 'pipelines/training.py',
      code: 'from zenml import pipeline\n\nfrom steps import load_data, train_model, validate\n\n\n@pipeline\ndef training():\n    df = load_data()\n    validate(df)\n    train_model(df)\n',
    },
    {
      name: 'TFX: ExampleValidator',
      file: 'pipelines/tfx_pipeline.py',
      code: 'from tfx import v1 as tfx\nfrom tfx.components import CsvExampleGen, ExampleValidator, SchemaGen, StatisticsGen, Trainer\n\nexample_gen = CsvExampleGen(input_base="data")\nstats = StatisticsGen(examples=example_gen.outputs["examples"])\nschema = SchemaGen(statistics=stats.outputs["statistics"])\nvalidator = ExampleValidator(statistics=stats.outputs["statistics"], schema=schema.outputs["schema"])\ntrainer = Trainer(module_file="trainer.py", examples=example_gen.outputs["examples"])\n',
    },
    {
      name: 'Kedro: a data-quality node upstream',
      file: 'src/churn/pipelines/data_science/pipeline.py',
      code: 'from kedro.pipeline import node, pipeline\n\nfrom .nodes import check_data_quality, train_model\n\n\ndef create_pipeline(**kwargs):\n    return pipeline([\n        node(check_data_quality, "model_input_table", "checked_table", name="data_quality"),\n        node(train_model, ["checked_table", "params:model"], "regressor", name="train_model_node"),\n    ])\n',
    },
    {
      name: 'Azure ML pipeline with a data-validation component',
      file: 'pipelines/train.yml',
      text: AZURE_PIPELINE('  validate_data:\n    type: command\n    component: ./components/validate_data.yml\n  train_job:\n    type: command\n    component: ./components/train.yml\n    inputs:\n      data: ${{parent.jobs.validate_data.outputs.checked}}\n'),
    },
    {
      name: 'a toy pipeline whose training step takes no data',
      file: 'pipelines/resources.py',
      code: 'from kfp import dsl\n\n\n@dsl.pipeline(name="resources")\ndef resources(n: int = 10):\n    training_op(n=n).set_memory_limit("500Mi")\n',
    },
    {
      name: 'a pipeline that does not train',
      file: 'pipelines/batch.py',
      code: 'from zenml import pipeline\n\nfrom steps import load_data, predict\n\n\n@pipeline\ndef batch_inference():\n    predict(load_data())\n',
    },
    {
      name: 'validation after training does not count as the cause, but a model validation after training is fine when data is validated',
      file: 'pipelines/training.py',
      code: 'from zenml import pipeline\n\nfrom steps import check_schema, load_data, train_model, validate\n\n\n@pipeline\ndef training():\n    df = check_schema(load_data())\n    model = train_model(df)\n    validate(model)\n',
    },
    {
      name: 'the data rule already reports this file (an Azure ML job with a data input): one finding, not two',
      file: 'pipelines/train.yml',
      text: `$schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json\ntype: pipeline\ninputs:\n  training_data:\n    type: uri_file\n    path: azureml:churn-raw:3\njobs:\n  train_model:\n    type: command\n    component: ./components/train.yml\n    inputs:\n      data: \${{parent.inputs.training_data}}\n`,
    },
    {
      name: 'a compiled toy pipeline whose training task gets only a text parameter',
      file: 'pipeline.yaml',
      text: 'components:\n  comp-train:\n    executorLabel: exec-train\ndeploymentSpec:\n  executors:\n    exec-train:\n      container:\n        image: python:3.11\npipelineInfo:\n  name: toy\nroot:\n  dag:\n    tasks:\n      train:\n        componentRef:\n          name: comp-train\n        inputs:\n          parameters:\n            text:\n              componentInputParameter: text\n',
    },
    { name: 'dvc.yaml is left to the scripts its stages run', file: 'dvc.yaml', text: 'stages:\n  train:\n    cmd: python train.py\n    deps: [data/raw.csv]\n' },
    'from zenml import step\n\n\n@step\ndef train_model(df):\n    return df\n',
  ],
  invalid: [
    {
      name: 'KFP: ingest then train',
      file: 'pipelines/training.py',
      code: 'from kfp import dsl\n\nfrom components import ingest_data, train_model\n\n\n@dsl.pipeline(name="churn-training")\ndef churn_training(source: str):\n    data = ingest_data(source=source)\n    train_model(dataset=data.outputs["dataset"])\n',
      errors: [
        {
          messageId: 'missing',
          line: 9,
          column: 5,
          endColumn: 16,
          related: ['Pipeline churn_training is defined here.'],
          message:
            'Training pipeline churn_training trains (train_model()) with no data-validation step before it. Add a step that checks the schema and value ranges of the training data (Great Expectations, TFDV / ExampleValidator, pandera, Deepchecks, a SageMaker data-quality check) and make training depend on it.',
        },
      ],
    },
    {
      name: 'ZenML: a `validate` step after training is a model check, not a data check',
      file: 'pipelines/training.py',
      code: 'from zenml import pipeline\n\nfrom steps import load_data, train_model, validate\n\n\n@pipeline\ndef training():\n    df = load_data()\n    model = train_model(df)\n    validate(model)\n',
      errors: [{ messageId: 'missing', line: 9, column: 13 }],
    },
    {
      name: 'Kedro: split, train, evaluate',
      file: 'src/iris/pipelines/data_science/pipeline.py',
      code: 'from kedro.pipeline import Node, Pipeline\n\nfrom .nodes import predict, split_data, train_model\n\n\ndef create_pipeline(**kwargs):\n    return Pipeline([\n        Node(split_data, ["example_iris_data", "parameters"], ["X_train", "y_train"], name="split"),\n        Node(train_model, ["X_train", "y_train"], "model", name="train"),\n    ])\n',
      errors: [{ messageId: 'missing', line: 9, column: 9, messageIncludes: 'trains (Node("train"))' }],
    },
    {
      name: 'Azure ML pipeline YAML: AutoML node on a validation split is not data validation',
      file: 'pipelines/automl.yml',
      text: AZURE_PIPELINE('  automl_node:\n    type: automl\n    task: classification\n    training_data: ${{parent.inputs.train}}\n    validation_data: ${{parent.inputs.valid}}\n'),
      errors: [{ messageId: 'missing', line: 5, column: 3, messageIncludes: 'trains (automl_node)' }],
    },
    {
      name: 'Airflow: extract, train, with edges',
      file: 'dags/retrain.py',
      code: 'from airflow import DAG\nfrom airflow.operators.python import PythonOperator\n\nwith DAG(dag_id="retrain", schedule="@weekly") as dag:\n    train = PythonOperator(task_id="train_model", python_callable=fit, op_kwargs={"table": "features"})\n    extract = PythonOperator(task_id="extract_data", python_callable=extract, op_kwargs={"table": "raw"})\n    extract >> train\n',
      errors: [{ messageId: 'missing', line: 5, column: 13 }],
    },
    {
      name: 'Azure ML dsl pipeline in a notebook',
      cells: [
        'from azure.ai.ml import load_component\nfrom azure.ai.ml.dsl import pipeline\n\nprep = load_component(source="prep.yml")\ntrain = load_component(source="train.yml")',
        '@pipeline()\ndef churn(raw_data):\n    prepared = prep(raw_data=raw_data)\n    train(training_data=prepared.outputs.data)',
      ],
      errors: [{ messageId: 'missing', cell: 1, line: 4, column: 5 }],
    },
    {
      name: 'compiled KFP IR',
      file: 'pipeline.yaml',
      text: 'components:\n  comp-ingest:\n    executorLabel: exec-ingest\n  comp-train-model:\n    executorLabel: exec-train-model\ndeploymentSpec:\n  executors:\n    exec-ingest:\n      container:\n        image: python:3.11\n    exec-train-model:\n      container:\n        image: python:3.11\npipelineInfo:\n  name: churn\nroot:\n  dag:\n    tasks:\n      ingest:\n        componentRef:\n          name: comp-ingest\n      train-model:\n        componentRef:\n          name: comp-train-model\n        dependentTasks:\n        - ingest\n        inputs:\n          artifacts:\n            dataset:\n              taskOutputArtifact:\n                outputArtifactKey: dataset\n                producerTask: ingest\n',
      errors: [{ messageId: 'missing', line: 22, column: 7, related: ['Pipeline churn is defined here.'] }],
    },
  ],
});

describe('pipeline-without-validation-step and unvalidated-data-load', () => {
  it('the Azure ML job that this rule leaves alone is reported by unvalidated-data-load', async () => {
    const text = `$schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json\ntype: pipeline\ninputs:\n  training_data:\n    type: uri_file\n    path: azureml:churn-raw:3\njobs:\n  train_model:\n    type: command\n    component: ./components/train.yml\n    inputs:\n      data: \${{parent.inputs.training_data}}\n`;
    const r = await lintCase(unvalidatedDataLoad, { file: 'pipelines/train.yml', text });
    assert.equal(r.findings.filter((f) => f.rule === 'unvalidated-data-load').length, 1);
  });
});
