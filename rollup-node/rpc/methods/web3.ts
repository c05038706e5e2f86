import { keccak_256 } from "@noble/hashes/sha3.js";

import { data, parseData } from "../hex";
import type { MethodTable } from "./types";

/** The web3_* namespace. */
export const web3Methods: MethodTable = {
  web3_clientVersion: (_params, backend) => backend.clientVersion,
  web3_sha3: (params) => data(keccak_256(parseData(params[0], "data"))),
};
