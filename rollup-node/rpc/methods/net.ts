import { quantity } from "../hex";
import type { MethodTable } from "./types";

/** The net_* namespace: a devnode has no peers, and its network id is the chain id. */
export const netMethods: MethodTable = {
  net_version: (_params, { chain }) => chain.chainId.toString(),
  net_listening: () => true,
  net_peerCount: () => quantity(0),
};
