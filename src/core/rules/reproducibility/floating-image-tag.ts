import { nodeRange } from '../../parse/yaml';
import { defineRule } from '../../rule';
import { floatingTag, imageRefs, parseImage } from '../lib/pipelines';

function shown(value: string): string {
  const v = value.trim();
  return v.length > 80 ? v.slice(0, 50) + '…' + v.slice(-25) : v;
}

export default defineRule({
  meta: {
    id: 'floating-image-tag',
    area: 'reproducibility',
    defaultSeverity: 'warning',
    recommended: true,
    targets: ['yaml'],
    messages: {
      latest: 'Image `{{image}}` uses the moving tag `latest`: each pull can bring a different image, so a run cannot be repeated. Pin a version tag, or better a digest (`@sha256:...`).',
      untagged: 'Image `{{image}}` has no tag, which means `latest`: each pull can bring a different image, so a run cannot be repeated. Pin a version tag, or better a digest (`@sha256:...`).',
      environment: 'Environment `{{image}}` follows the latest version: the job runs in whatever the environment last became. Pin a version (`azureml:<name>:<version>`).',
    },
    docs: {
      summary: 'A pipeline or deployment config runs a container image with `:latest` or no tag.',
      whatItDoes:
        'Reads the container images of pipeline, CI and deployment configs: Kubernetes, KServe and Seldon manifests, Argo and compiled Kubeflow workflows, KFP component specs, Azure ML jobs, components, environments and deployments (`image:`, and `environment: azureml:<name>@latest` or `.../labels/latest`), GitHub Actions job `container:`/`services:` and `docker://` steps, GitLab CI `image:`/`services:`, Azure Pipelines containers, Cloud Build steps, docker-compose, MLproject `docker_env`, Prefect and ZenML configs (`parent_image`). Reports an image with no tag or the `latest` tag and no digest. Templated tags (`${{ ... }}`, `{{ ... }}`, `$VAR`) are left alone; in files of unknown kind only explicit `:latest` tags and untagged images on a registry host count.',
      whyIsThisBad:
        'A tag like `latest` moves: the same config trains or serves with a different Python, CUDA or library stack from one day to the next, and a rollback does not roll the image back. Pinned images are part of a reproducible training and serving environment (ML Test Score, Infra 1: training is reproducible).',
      example: {
        language: 'yaml',
        file: 'k8s/serving.yaml',
        code: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: churn-api\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: ghcr.io/acme/churn-api:latest\n',
      },
      useInstead: {
        language: 'yaml',
        file: 'k8s/serving.yaml',
        code: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: churn-api\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: ghcr.io/acme/churn-api:1.4.2@sha256:6f1e0c4bd3a9f8e27c5d0b1a2e3f4a5b6c7d8e9f0a1b2c3d4e5f60718293a4b5\n',
      },
      fixSafety: 'No fix: only you know which version to pin. `docker buildx imagetools inspect <image>` shows the digest the tag points at today.',
      references: [
        'Breck et al. 2017, The ML Test Score, Infra 1 (training is reproducible)',
        'Kubernetes, images and tags: https://kubernetes.io/docs/concepts/containers/images/#image-names',
        'Azure ML environments, versions: https://learn.microsoft.com/azure/machine-learning/how-to-manage-environments-v2',
      ],
    },
  },
  check(ctx) {
    if (!ctx.yaml) return;
    for (const ref of imageRefs(ctx.yaml, ctx.configKind)) {
      const range = nodeRange(ctx.yaml, ref.node);
      if (ref.what === 'environment') {
        ctx.report({ messageId: 'environment', data: { image: shown(ref.value) }, location: { range } });
        continue;
      }
      const img = parseImage(ref.value);
      const floating = img && floatingTag(img);
      if (floating) ctx.report({ messageId: floating, data: { image: shown(ref.value) }, location: { range } });
    }
  },
});
