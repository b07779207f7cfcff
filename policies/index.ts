/**
 * The Rollgate policy pack. This is the only module that constructs the
 * `PolicyPack`: its constructor starts the analyzer server that the Pulumi
 * CLI talks to. Run it with
 *
 *   pulumi preview --policy-pack policies --policy-pack-config policies/config/<env>.json
 */
import { PolicyPack } from "@pulumi/policy";

import { rollgatePolicies } from "./all";

new PolicyPack("rollgate", {
  description: "Rollgate guardrails: workload hardening, preview isolation, traffic weights and release provenance.",
  policies: rollgatePolicies,
});
