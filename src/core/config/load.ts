import type { FileSystem } from '../workspace/fs';
import type { HygieneConfig } from './resolve';

export interface ConfigError {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  /** Key path, e.g. `rules.unseeded-randomness.severity`. */
  key: string;
  message: string;
}

export interface LoadedConfig {
  config: HygieneConfig;
  /** The file the config came from, workspace-relative; undefined = defaults. */
  file?: string;
  errors: ConfigError[];
}

export const CONFIG_FILES = ['.mlops-hygiene.yaml', '.mlops-hygiene.yml'];

// STUB (being replaced): reads nothing yet.
export async function loadConfig(_fs: FileSystem, _explicit?: string): Promise<LoadedConfig> {
  return { config: {}, errors: [] };
}
