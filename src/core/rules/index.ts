// The rule registry, sorted by id. Add a rule: create src/core/rules/<area>/<id>.ts
// and list it here; the meta-test checks ids, docs, tests and generated docs.
import type { Rule } from '../rule';
import absoluteDataPath from './data/absolute-data-path';
import dvcParamsMismatch from './data/dvc-params-mismatch';
import undeclaredArtifactWrite from './data/undeclared-artifact-write';
import undeclaredStageDependency from './data/undeclared-stage-dependency';
import unpinnedRemoteData from './data/unpinned-remote-data';
import untrackedDataRead from './data/untracked-data-read';
import deployWithoutApproval from './governance/deploy-without-approval';
import errorOutputCommitted from './governance/error-output-committed';
import hardcodedSecret from './governance/hardcoded-secret';
import sensitiveOutput from './governance/sensitive-output';
import undocumentedModel from './governance/undocumented-model';
import unregisteredModel from './governance/unregistered-model';
import unsafeDeserialization from './governance/unsafe-deserialization';
import invalidNotebook from './hygiene/invalid-notebook';
import invalidYaml from './hygiene/invalid-yaml';
import pythonSyntaxError from './hygiene/python-syntax-error';
import unusedSuppression from './hygiene/unused-suppression';
import deploymentWithoutMonitoring from './monitoring/deployment-without-monitoring';
import missingRetrainingSchedule from './monitoring/missing-retraining-schedule';
import stageWithoutMetrics from './monitoring/stage-without-metrics';
import untrackedExperiment from './monitoring/untracked-experiment';
import floatingImageTag from './reproducibility/floating-image-tag';
import hiddenState from './reproducibility/hidden-state';
import outOfOrderExecution from './reproducibility/out-of-order-execution';
import unpinnedInstall from './reproducibility/unpinned-install';
import unseededRandomness from './reproducibility/unseeded-randomness';
import ciWithoutTests from './validation/ci-without-tests';
import deployWithoutQualityGate from './validation/deploy-without-quality-gate';
import missingHoldoutSplit from './validation/missing-holdout-split';
import pipelineWithoutValidationStep from './validation/pipeline-without-validation-step';
import preprocessingBeforeSplit from './validation/preprocessing-before-split';
import unvalidatedDataLoad from './validation/unvalidated-data-load';

export const RULES: readonly Rule[] = [
  absoluteDataPath,
  ciWithoutTests,
  deployWithoutApproval,
  deployWithoutQualityGate,
  deploymentWithoutMonitoring,
  dvcParamsMismatch,
  errorOutputCommitted,
  floatingImageTag,
  hardcodedSecret,
  hiddenState,
  invalidNotebook,
  invalidYaml,
  missingHoldoutSplit,
  missingRetrainingSchedule,
  outOfOrderExecution,
  pipelineWithoutValidationStep,
  preprocessingBeforeSplit,
  pythonSyntaxError,
  sensitiveOutput,
  stageWithoutMetrics,
  undeclaredArtifactWrite,
  undeclaredStageDependency,
  undocumentedModel,
  unpinnedInstall,
  unpinnedRemoteData,
  unregisteredModel,
  unsafeDeserialization,
  unseededRandomness,
  untrackedDataRead,
  untrackedExperiment,
  unusedSuppression,
  unvalidatedDataLoad,
];

export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.meta.id === id);
}
