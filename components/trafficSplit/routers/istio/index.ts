/** The Istio (VirtualService) router: its definition and the resources it renders, one registry entry. */
import { istioDefinition } from "./definition";
import { istioRouter } from "./render";

export const istio = { ...istioDefinition, render: istioRouter };
