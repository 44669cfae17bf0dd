/**
 * The backend configuration as every command but `sandbox` reads it: environment first, then .env
 * (loadDotEnv never overrides the environment). A ConfigError already lists every problem, so it
 * becomes a CliError printed as is.
 */
import { ConfigError, loadDotEnv, parseConfig, type Config } from "../service/config";
import { CliError } from "./cli-io";

export function loadCliConfig(envFile?: string): Config {
  try {
    loadDotEnv(envFile);
    return parseConfig();
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, 1, { cause: error });
    throw error;
  }
}
