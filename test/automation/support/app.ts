/** A whole app from one bag of dependencies, as the tests build it. */
import { createApp, type AppDeps, type RollgateApp } from "../../../automation/app";
import { buildAppServices } from "../../../automation/appServices";

export function buildApp(deps: AppDeps): RollgateApp {
  return createApp(buildAppServices(deps), deps);
}
