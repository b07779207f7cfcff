/** Istio: the weights are the VirtualService's route destination weights. */
import { record } from "../../../untyped";
import type { RouterDefinition } from "../definition";
import { weightGroups } from "./weightShares";

export const istioDefinition: RouterDefinition<"istio"> = {
  kind: "istio",
  capabilities: { headerRouting: true, mirroring: true },
  liveWeight: "unsupported",
  declaredWeights: {
    matches: (type) => /^kubernetes:networking\.istio\.io\/[^:]+:VirtualService$/.test(type),
    groups: (props) => weightGroups(record(props).spec, ["http", "tcp", "tls"], "route", (destination) => destination.weight),
  },
};
