/**
 * Reads an environment's risk config from `config/<environment>.json` beside
 * this module; an environment without a file gets the documented defaults.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { environmentNameSchema } from "../schemas";
import { parseRiskConfig, type RiskConfig } from "./riskConfig";

export const RISK_CONFIG_DIR = join(__dirname, "config");

export function loadRiskConfig(environment: string, directory: string = RISK_CONFIG_DIR): RiskConfig {
  const name = environmentNameSchema.parse(environment);
  const file = join(directory, `${name}.json`);
  return parseRiskConfig(existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as unknown) : {});
}
