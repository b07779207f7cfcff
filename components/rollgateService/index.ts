export { RollgateService, rollgateServiceDefaults, validateRollgateServiceArgs, type RollgateServiceArgs, type RollgateSecrets } from "./rollgateService";
export { clusterScopedRules, namespacedRules, type RbacRule } from "./rbacRules";
