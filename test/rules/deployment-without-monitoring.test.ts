import * as assert from 'node:assert/strict';
import rule from '../../src/core/rules/monitoring/deployment-without-monitoring';
import { ruleTester } from '../helpers/rule-tester';
import { editSession } from '../helpers/edit-session';

const SM_MODEL = 'from sagemaker.sklearn import SKLearnModel\n\nmodel = SKLearnModel(model_data="s3://b/model.tar.gz", role=role, entry_point="inference.py")\n';
const AZ_IMPORTS = 'from azure.ai.ml import MLClient\nfrom azure.ai.ml.entities import ManagedOnlineDeployment, ManagedOnlineEndpoint, DataCollector, DeploymentCollection\n';
const AZ_ONLINE_YAML =
  '$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json\nname: blue\nendpoint_name: credit-endpoint\nmodel: azureml:credit-model:3\nenvironment:\n  conda_file: env.yml\n  image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04:20240101.v1\ninstance_type: Standard_DS3_v2\ninstance_count: 1\n';
const COLLECTOR_2 = "data_collector:\n  collections:\n    model_inputs:\n      enabled: 'True'\n    model_outputs:\n      enabled: 'True'\n";

ruleTester(rule, {
  valid: [
    { name: 'SageMaker deploy with data capture', code: SM_MODEL + 'predictor = model.deploy(initial_instance_count=1, instance_type="ml.m5.large", data_capture_config=capture)\n' },
    {
      name: 'a model monitor in another cell covers the deployment',
      cells: [SM_MODEL + 'predictor = model.deploy(initial_instance_count=1, instance_type="ml.m5.large")', 'from sagemaker.model_monitor import DefaultModelMonitor\nmonitor = DefaultModelMonitor(role=role, instance_count=1, instance_type="ml.m5.xlarge")'],
    },
    {
      name: 'Azure ML deployment with a data collector',
      cells: [AZ_IMPORTS, 'blue = ManagedOnlineDeployment(\n    name="blue",\n    endpoint_name=endpoint_name,\n    model=model,\n    data_collector=DataCollector(collections={"model_inputs": DeploymentCollection(enabled="true")}),\n)'],
    },
    {
      name: 'Azure ML monitor schedule in the notebook',
      cells: [AZ_IMPORTS, 'blue = ManagedOnlineDeployment(name="blue", endpoint_name=endpoint_name, model=model)', 'from azure.ai.ml.entities import MonitorSchedule, MonitorDefinition\nschedule = MonitorSchedule(name="drift", trigger=trigger, create_monitor=MonitorDefinition(compute=compute))'],
    },
    {
      name: 'Vertex deploy with a model deployment monitoring job',
      cells: ['from google.cloud import aiplatform\nfrom google.cloud.aiplatform import model_monitoring', 'endpoint = model.deploy(machine_type="n1-standard-4")', 'job = aiplatform.ModelDeploymentMonitoringJob.create(display_name="churn", endpoint=endpoint, objective_configs=objective_config)'],
    },
    { name: 'a drift library anywhere in the file', cells: ['!mlflow models serve -m runs:/abc123/model -p 5001', 'from evidently.report import Report'] },
    { name: 'Prefect deployments are not model deployments', code: 'from prefect import flow\n\n@flow\ndef etl():\n    pass\n\netl.deploy(name="nightly", work_pool_name="k8s")\n' },
    { name: 'batch prediction is not an endpoint', code: 'from google.cloud import aiplatform\n\njob = model.batch_predict(job_display_name="scores", gcs_source=src, gcs_destination_prefix=dst)\n' },
    { name: 'pulling a serving image is not serving', cells: ['!docker pull tensorflow/serving:latest'] },
    { name: 'an endpoint without a deployment', cells: [AZ_IMPORTS, 'endpoint = ManagedOnlineEndpoint(name="credit", auth_mode="key")'] },
    {
      name: 'a notebook function named deploy_model is not the platform API',
      cells: ['def deploy_model(path):\n    print("copy", path)', 'deploy_model("model.pkl")'],
    },
    { name: 'Azure ML deployment YAML with data collection', file: 'deployment.yml', text: AZ_ONLINE_YAML + COLLECTOR_2 },
    { name: 'Azure ML deployment YAML with Application Insights', file: 'deployment.yml', text: AZ_ONLINE_YAML + 'app_insights_enabled: true\n' },
    { name: 'an Azure ML endpoint YAML', file: 'endpoint.yml', text: '$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineEndpoint.schema.json\nname: credit-endpoint\nauth_mode: key\n' },
    {
      name: 'KServe with a payload logger',
      file: 'isvc.yaml',
      text: 'apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata:\n  name: sklearn-iris\nspec:\n  predictor:\n    logger:\n      mode: all\n      url: http://message-dumper.default/\n    model:\n      modelFormat:\n        name: sklearn\n      storageUri: gs://kfserving-examples/models/sklearn/1.0/model\n',
    },
    {
      name: 'KServe with Prometheus scraping',
      file: 'isvc.yaml',
      text: 'apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata:\n  name: sklearn-iris\n  annotations:\n    serving.kserve.io/enable-prometheus-scraping: "true"\nspec:\n  predictor:\n    sklearn:\n      storageUri: gs://kfserving-examples/models/sklearn/1.0/model\n',
    },
    {
      name: 'Seldon with a request logger',
      file: 'seldon.yaml',
      text: 'apiVersion: machinelearning.seldon.io/v1\nkind: SeldonDeployment\nmetadata:\n  name: iris\nspec:\n  predictors:\n  - name: default\n    graph:\n      name: classifier\n      implementation: SKLEARN_SERVER\n      modelUri: gs://seldon-models/sklearn/iris\n      logger:\n        mode: all\n',
    },
  ],
  invalid: [
    {
      name: 'SageMaker model.deploy without data capture',
      code: SM_MODEL + 'predictor = model.deploy(initial_instance_count=1, instance_type="ml.m5.large")\n',
      errors: [
        {
          messageId: 'sagemaker',
          message:
            '`model.deploy(...)` deploys a SageMaker endpoint, and nothing in this file monitors it: production inputs and predictions are not recorded, so drift and quality loss go unnoticed. Pass `data_capture_config=DataCaptureConfig(enable_capture=True, destination_s3_uri=...)` and schedule a `DefaultModelMonitor`.',
          line: 4,
          column: 13,
          endLine: 4,
          endColumn: 25,
        },
      ],
    },
    {
      name: 'a SageMaker estimator deployed after training',
      cells: ['from sagemaker.huggingface import HuggingFace\nest = HuggingFace(entry_point="train.py", role=role, instance_type="ml.p3.2xlarge")', 'est.fit({"train": train_s3})', 'predictor = est.deploy(1, "ml.g4dn.xlarge")'],
      errors: [{ messageId: 'sagemaker', cell: 2, line: 1, column: 13, endColumn: 23 }],
    },
    {
      name: 'Azure ML blue/green: only the deployment without a collector',
      cells: [
        AZ_IMPORTS,
        'blue = ManagedOnlineDeployment(name="blue", endpoint_name=name, model=model, data_collector=collector)',
        'green = ManagedOnlineDeployment(\n    name="green",\n    endpoint_name=name,\n    model=model,\n)\nml_client.online_deployments.begin_create_or_update(green).result()',
      ],
      errors: [{ messageId: 'azureOnline', messageIncludes: 'nothing in this notebook monitors it', cell: 2, line: 1, column: 9, endColumn: 32 }],
    },
    {
      name: 'Azure ML batch deployment',
      cells: ['from azure.ai.ml.entities import ModelBatchDeployment, ModelBatchDeploymentSettings', 'deployment = ModelBatchDeployment(name="classifier-xgboost-mlflow", endpoint_name=endpoint.name, model=model, settings=ModelBatchDeploymentSettings(instance_count=2))'],
      errors: [{ messageId: 'azureBatch', cell: 1, line: 1, column: 14, endColumn: 34 }],
    },
    {
      name: 'Vertex: endpoint creation and deployment are one deployment',
      code: 'from google.cloud import aiplatform\n\nendpoint = aiplatform.Endpoint.create(display_name="churn")\nmodel = aiplatform.Model.upload(display_name="churn", artifact_uri=uri, serving_container_image_uri=image)\nmodel.deploy(endpoint=endpoint, machine_type="n1-standard-4")\n',
      errors: [{ messageId: 'vertex', message: undefined, line: 5, column: 1, endColumn: 13 }],
    },
    {
      name: 'Vertex: an endpoint created alone (a KFP component)',
      code: 'from kfp.v2 import dsl\n\n@dsl.component(packages_to_install=["google-cloud-aiplatform==1.36.0"])\ndef create_endpoint(name: str):\n    from google.cloud import aiplatform\n    endpoint = aiplatform.Endpoint.create(display_name=name)\n',
      errors: [{ messageId: 'vertex', messageIncludes: '`aiplatform.Endpoint.create(...)` deploys to a Vertex AI endpoint', line: 6, column: 16, endColumn: 42 }],
    },
    {
      name: 'Vertex: the same deploy in both branches of an if is one deployment',
      cells: ['from google.cloud import aiplatform', 'if GPU:\n    endpoint = model.deploy(machine_type=M, accelerator_type=GPU)\nelse:\n    endpoint = model.deploy(machine_type=M)'],
      errors: [{ messageId: 'vertex', cell: 1, line: 2, column: 16 }],
    },
    {
      name: 'MLflow deployment client',
      cells: ['import mlflow\nfrom mlflow.deployments import get_deploy_client\nclient = get_deploy_client(mlflow.get_tracking_uri())', 'client.create_endpoint("credit")', 'client.create_deployment(name="blue", endpoint="credit", model_uri="models:/credit/1")'],
      errors: [{ messageId: 'serving', messageIncludes: '`client.create_deployment(...)` deploys or serves a model', cell: 2, line: 1, column: 1, endColumn: 25 }],
    },
    {
      name: 'Airflow MLflow provider deploying to SageMaker',
      code: 'from mlflow_provider.operators.deployment import CreateDeploymentOperator\n\ncreate = CreateDeploymentOperator(task_id="deploy", name="census", model_uri=uri, target_uri="sagemaker:/us-east-2")\n',
      errors: [{ messageId: 'serving', line: 3, column: 10, endColumn: 34 }],
    },
    {
      name: 'a ZenML deployment pipeline run from a notebook',
      cells: ['from pipelines import sentiment_deploy_pipeline', 'sentiment_deploy_pipeline.with_options(**pipeline_args)(\n    **run_args\n)'],
      errors: [{ messageId: 'serving', messageIncludes: '`sentiment_deploy_pipeline.with_options(**pipeline_args)(...)`', cell: 1, line: 1, column: 1 }],
    },
    {
      name: 'a ZenML model deployer step',
      code: 'from zenml import step\nfrom zenml.client import Client\n\n@step\ndef deployer(config):\n    model_deployer = Client().active_stack.model_deployer\n    return model_deployer.deploy_model(config=config)\n',
      errors: [{ messageId: 'serving', line: 7, column: 12, endColumn: 39 }],
    },
    {
      name: 'mlflow models serve and TF Serving in shell commands',
      cells: ['!mlflow models serve -m runs:/abc123/model -p 5001 --env-manager local', '%%bash --bg\nnohup tensorflow_model_server \\\n     --rest_api_port=8501 \\\n     --model_base_path="${MODEL_DIR}" >server.log 2>&1'],
      errors: [
        { messageId: 'serving', messageIncludes: '`mlflow models serve`', cell: 0, line: 1, column: 2, endLine: 1, endColumn: 21 },
        { messageId: 'serving', messageIncludes: '`tensorflow_model_server`', cell: 1, line: 2, column: 7, endColumn: 30 },
      ],
    },
    {
      name: 'Azure ML online deployment YAML: unsafe fix adds a data collector',
      file: 'blue-deployment.yml',
      text: AZ_ONLINE_YAML,
      errors: [
        {
          messageId: 'azureOnlineYaml',
          message:
            'This Azure ML online deployment has no `data_collector` and no Application Insights: production inputs and predictions are not recorded, so drift and quality loss go unnoticed. Add a `data_collector` with `model_inputs`/`model_outputs` collections enabled and schedule a model monitor.',
          line: 1,
          column: 1,
          endLine: 1,
          endColumn: 8,
        },
      ],
      output: AZ_ONLINE_YAML + COLLECTOR_2,
    },
    {
      name: 'the fix follows the file indentation and a missing final newline',
      file: 'deploy.yml',
      text: '$schema: https://azuremlschemas.azureedge.net/latest/kubernetesOnlineDeployment.schema.json\nname: green\nmodel:\n    path: ./model\ninstance_count: 1',
      errors: [{ messageId: 'azureOnlineYaml', line: 1, column: 1 }],
      output:
        "$schema: https://azuremlschemas.azureedge.net/latest/kubernetesOnlineDeployment.schema.json\nname: green\nmodel:\n    path: ./model\ninstance_count: 1\ndata_collector:\n    collections:\n        model_inputs:\n            enabled: 'True'\n        model_outputs:\n            enabled: 'True'",
    },
    {
      name: 'the fix goes after a nested last value and before trailing comments',
      file: 'deploy.yml',
      text: '$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json\nname: blue\nrequest_settings:\n  request_timeout_ms: 3000\n# end of deployment\n',
      errors: [{ messageId: 'azureOnlineYaml', line: 1, column: 1 }],
      output:
        "$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json\nname: blue\nrequest_settings:\n  request_timeout_ms: 3000\n" + COLLECTOR_2 + '# end of deployment\n',
    },
    {
      name: 'Azure ML batch deployment YAML (no fix: batch has no data collector)',
      file: 'deploy-batch.yaml',
      text: '$schema: https://azuremlschemas.azureedge.net/latest/batchDeployment.schema.json\nname: demo\ntype: model\nresources:\n    instance_count: 1\n',
      errors: [{ messageId: 'azureBatchYaml', line: 1, column: 1, endColumn: 8 }],
    },
    {
      name: 'a data collector with every collection disabled',
      file: 'deployment.yml',
      text: AZ_ONLINE_YAML + "data_collector:\n  collections:\n    model_inputs:\n      enabled: 'False'\n",
      errors: [{ messageId: 'collectorDisabled', line: 10, column: 1, endColumn: 15 }],
    },
    {
      name: 'KServe InferenceService without logger (multi-document: only the unmonitored one)',
      file: 'isvc.yaml',
      text:
        'apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata:\n  name: sklearn-iris\nspec:\n  predictor:\n    sklearn:\n      storageUri: gs://kfserving-examples/models/sklearn/1.0/model\n---\napiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata:\n  name: logged\nspec:\n  predictor:\n    logger:\n      mode: all\n    sklearn:\n      storageUri: gs://m\n',
      errors: [{ messageId: 'kserve', line: 2, column: 7, endColumn: 23 }],
    },
    {
      name: 'SeldonDeployment without logger',
      file: 'seldon.yaml',
      text: 'apiVersion: machinelearning.seldon.io/v1\nkind: SeldonDeployment\nmetadata:\n  name: iris\nspec:\n  predictors:\n  - name: default\n    graph:\n      name: classifier\n      implementation: SKLEARN_SERVER\n      modelUri: gs://seldon-models/sklearn/iris\n',
      errors: [{ messageId: 'seldon', line: 2, column: 7, endColumn: 23 }],
    },
  ],
});

describe('deployment-without-monitoring after one-cell edits', () => {
  it('follows a monitor set up in another cell', async () => {
    const lint = await editSession('deployment-without-monitoring');
    const deploy = 'import sagemaker\npredictor = model.deploy(initial_instance_count=1, instance_type="ml.m5.large")';
    assert.deepEqual(await lint([deploy, 'print(predictor)']), ['0:2:13 sagemaker']);
    assert.deepEqual(await lint([deploy, 'from sagemaker.model_monitor import DefaultModelMonitor\nmonitor = DefaultModelMonitor(role=role)']), []);
    assert.deepEqual(await lint([deploy, 'print(predictor)']), ['0:2:13 sagemaker']);
  });

  it('re-qualifies the deploying cell when the imports change', async () => {
    const lint = await editSession('deployment-without-monitoring');
    const deploy = 'predictor = model.deploy(initial_instance_count=1, instance_type="ml.m5.large")';
    assert.deepEqual(await lint(['import sagemaker', deploy]), ['1:1:13 sagemaker']);
    assert.deepEqual(await lint(['import pandas', deploy]), []);
  });
});


describe('deployment-without-monitoring: keyword names', () => {
  it('a keyword named like an Object property is no monitoring hook', async () => {
    const lint = await editSession('deployment-without-monitoring');
    const deploy = 'import sagemaker\npredictor = model.deploy(initial_instance_count=1, instance_type="ml.m5.large")';
    assert.deepEqual(await lint([deploy, 'x = make(constructor=Foo, toString=bar)']), ['0:2:13 sagemaker']);
    assert.deepEqual(await lint([deploy, 'x = make(collect_model_data=True)']), []);
  });

  it('shell serving is reported without a deployment, and a monitor covers it', async () => {
    const lint = await editSession('deployment-without-monitoring');
    assert.deepEqual(await lint(['x = 1', '!mlflow models serve -m runs:/abc/model']), ['1:1:2 serving']);
    assert.deepEqual(await lint(['import evidently', '!mlflow models serve -m runs:/abc/model']), []);
  });
});
