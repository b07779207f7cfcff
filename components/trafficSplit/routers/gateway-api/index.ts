/** The Gateway API (HTTPRoute) router: its definition and the resources it renders, one registry entry. */
import { gatewayApiDefinition } from "./definition";
import { gatewayApiRouter } from "./render";

export const gatewayApi = { ...gatewayApiDefinition, render: gatewayApiRouter };
