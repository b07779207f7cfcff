/** The ingress-nginx (canary Ingress) router: its definition and the resources it renders, one registry entry. */
import { nginxDefinition } from "./definition";
import { nginxRouter } from "./render";

export const nginx = { ...nginxDefinition, render: nginxRouter };
