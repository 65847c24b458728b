// The rule registry, sorted by id. Add a rule: create src/core/rules/<area>/<id>.ts
// and list it here; the meta-test checks ids, docs, tests and generated docs.
import type { Rule } from '../rule';
import absoluteDataPath from './data/absolute-data-path';
import unpinnedRemoteData from './data/unpinned-remote-data';
import untrackedDataRead from './data/untracked-data-read';
import errorOutputCommitted from './governance/error-output-committed';
import hardcodedSecret from './governance/hardcoded-secret';
import invalidNotebook from './hygiene/invalid-notebook';
import invalidYaml from './hygiene/invalid-yaml';
import pythonSyntaxError from './hygiene/python-syntax-error';
import unusedSuppression from './hygiene/unused-suppression';
import deploymentWithoutMonitoring from './monitoring/deployment-without-monitoring';
import untrackedExperiment from './monitoring/untracked-experiment';
import outOfOrderExecution from './reproducibility/out-of-order-execution';
import unpinnedInstall from './reproducibility/unpinned-install';
import unseededRandomness from './reproducibility/unseeded-randomness';
import missingHoldoutSplit from './validation/missing-holdout-split';
import unvalidatedDataLoad from './validation/unvalidated-data-load';

export const RULES: readonly Rule[] = [
  absoluteDataPath,
  deploymentWithoutMonitoring,
  errorOutputCommitted,
  hardcodedSecret,
  invalidNotebook,
  invalidYaml,
  missingHoldoutSplit,
  outOfOrderExecution,
  pythonSyntaxError,
  unpinnedInstall,
  unpinnedRemoteData,
  unseededRandomness,
  untrackedDataRead,
  untrackedExperiment,
  unusedSuppression,
  unvalidatedDataLoad,
];

export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.meta.id === id);
}
