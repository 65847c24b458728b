import rule from '../../src/core/rules/reproducibility/floating-image-tag';
import { ruleTester } from '../helpers/rule-tester';

const k8s = (image: string): string =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: churn-api\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: ${image}\n`;

ruleTester(rule, {
  valid: [
    { name: 'version tag', text: k8s('ghcr.io/acme/churn-api:1.4.2'), file: 'k8s/api.yaml' },
    { name: 'digest', text: k8s('ghcr.io/acme/churn-api@sha256:6f1e0c4bd3a9f8e27c5d0b1a2e3f4a5b6c7d8e9f0a1b2c3d4e5f60718293a4b5'), file: 'k8s/api.yaml' },
    { name: 'latest tag pinned by digest', text: k8s('ghcr.io/acme/churn-api:latest@sha256:6f1e0c4bd3a9f8e27c5d0b1a2e3f4a5b6c7d8e9f0a1b2c3d4e5f60718293a4b5'), file: 'k8s/api.yaml' },
    { name: 'registry port is not a tag', text: k8s('localhost:5000/churn-api:2.0'), file: 'k8s/api.yaml' },
    { name: 'templated tag', text: k8s('ghcr.io/acme/churn-api:${IMAGE_TAG}'), file: 'k8s/api.yaml' },
    { name: 'Helm-style placeholder', text: k8s('"{{ .Values.image }}"'), file: 'k8s/api.yaml' },
    {
      name: 'GitHub: runs-on labels are not images',
      file: '.github/workflows/ci.yml',
      text: 'on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    container: python:3.11.9-slim\n    steps:\n      - run: pytest\n',
    },
    {
      name: 'Azure ML environment pinned to a version',
      file: 'jobs/train.yml',
      text: '$schema: https://azuremlschemas.azureedge.net/latest/commandJob.schema.json\ncommand: python train.py\nenvironment: azureml:sklearn-env:12\ncompute: azureml:cpu-cluster\n',
    },
    {
      name: 'an image key in an unknown file that is not an image',
      file: 'docs/site.yaml',
      text: 'title: Churn\nimage: assets/logo.png\nlogo:\n  image: banner\n',
    },
    {
      name: 'a compiled KFP placeholder the backend overrides',
      file: 'pipeline.yaml',
      text: 'apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nspec:\n  templates:\n    - name: system-container-impl\n      container:\n        image: gcr.io/ml-pipeline/should-be-overridden-during-runtime\n',
    },
    { name: 'not YAML of a known kind and no image', file: 'params.yaml', text: 'train:\n  lr: 0.1\n' },
  ],
  invalid: [
    {
      name: 'Kubernetes :latest',
      file: 'k8s/api.yaml',
      text: k8s('ghcr.io/acme/churn-api:latest'),
      errors: [{ messageId: 'latest', line: 10, column: 18, endLine: 10, endColumn: 47, message: 'Image `ghcr.io/acme/churn-api:latest` uses the moving tag `latest`: each pull can bring a different image, so a run cannot be repeated. Pin a version tag, or better a digest (`@sha256:...`).' }],
    },
    { name: 'Kubernetes untagged', file: 'k8s/api.yaml', text: k8s('python'), errors: [{ messageId: 'untagged', line: 10, column: 18 }] },
    {
      name: 'KServe predictor image, second document of a multi-document file',
      file: 'k8s/isvc.yaml',
      text: 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ml\n---\napiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata:\n  name: churn\nspec:\n  predictor:\n    containers:\n      - name: kserve-container\n        image: acme/churn-predictor\n',
      errors: [{ messageId: 'untagged', line: 14, column: 16 }],
    },
    {
      name: 'Azure ML deployment and environment',
      file: 'deploy/blue.yml',
      text: '$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json\nname: blue\nendpoint_name: churn\nmodel: azureml:churn:3\nenvironment:\n  conda_file: env.yml\n  image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04\ninstance_type: Standard_DS3_v2\n',
      errors: [{ messageId: 'untagged', line: 7, column: 10 }],
    },
    {
      name: 'Azure ML job on a floating environment (both reference forms)',
      file: 'jobs/pipeline.yml',
      text: '$schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json\ntype: pipeline\njobs:\n  prep:\n    command: python prep.py\n    environment: azureml:AzureML-sklearn-1.5@latest\n  train:\n    command: python train.py\n    environment: azureml://registries/azureml/environments/sklearn-1.5/labels/latest\n',
      errors: [
        { messageId: 'environment', line: 6, column: 18, message: 'Environment `azureml:AzureML-sklearn-1.5@latest` follows the latest version: the job runs in whatever the environment last became. Pin a version (`azureml:<name>:<version>`).' },
        { messageId: 'environment', line: 9, column: 18 },
      ],
    },
    {
      name: 'GitHub Actions: job container, service and docker:// step',
      file: '.github/workflows/train.yml',
      text: 'on: push\njobs:\n  train:\n    runs-on: ubuntu-22.04\n    container:\n      image: pytorch/pytorch:latest\n    services:\n      mlflow:\n        image: ghcr.io/mlflow/mlflow\n    steps:\n      - uses: docker://hadolint/hadolint:latest\n',
      errors: [
        { messageId: 'latest', line: 6, column: 14 },
        { messageId: 'untagged', line: 9, column: 16 },
        { messageId: 'latest', line: 11, column: 15 },
      ],
    },
    {
      name: 'GitLab CI default image and service',
      file: '.gitlab-ci.yml',
      text: 'image: python:latest\nservices:\n  - name: postgres\ntrain:\n  script:\n    - python train.py\n',
      errors: [
        { messageId: 'latest', line: 1, column: 8 },
        { messageId: 'untagged', line: 3, column: 11 },
      ],
    },
    {
      name: 'KFP compiled IR executor',
      file: 'pipeline.yaml',
      text: 'components:\n  comp-train:\n    executorLabel: exec-train\ndeploymentSpec:\n  executors:\n    exec-train:\n      container:\n        command: [python, train.py]\n        image: registry.access.redhat.com/ubi9/python-311:latest\npipelineInfo:\n  name: train\nroot:\n  dag:\n    tasks: {}\n',
      errors: [{ messageId: 'latest', line: 9, column: 16 }],
    },
    {
      name: 'KFP v1 component spec',
      file: 'components/train/component.yaml',
      text: 'name: Train\ninputs:\n  - {name: data, type: CSV}\nimplementation:\n  container:\n    image: tensorflow/tensorflow\n    command: [python, train.py]\n',
      errors: [{ messageId: 'untagged', line: 6, column: 12 }],
    },
    {
      name: 'docker-compose and a templated registry with a literal latest tag',
      file: 'docker-compose.yml',
      text: 'services:\n  api:\n    image: ${REGISTRY}/churn-api:latest\n  db:\n    image: postgres:16.3\n',
      errors: [{ messageId: 'latest', line: 3, column: 12 }],
    },
    {
      name: 'ZenML parent image',
      file: 'configs/training.yaml',
      text: 'settings:\n  docker:\n    parent_image: zenmldocker/zenml:latest\n    requirements: requirements.txt\n',
      errors: [{ messageId: 'latest', line: 3, column: 19 }],
    },
    {
      name: 'MLproject docker_env',
      file: 'MLproject',
      text: 'name: churn\ndocker_env:\n  image: acme/churn-train\nentry_points:\n  main:\n    command: python train.py\n',
      errors: [{ messageId: 'untagged', line: 3, column: 10 }],
    },
    {
      name: 'an unknown file with an explicit latest tag',
      file: 'infra/values.yaml',
      text: 'api:\n  image: ghcr.io/acme/churn-api:latest\n',
      errors: [{ messageId: 'latest', line: 2, column: 10 }],
    },
  ],
});
