import { readFileSync } from "node:fs";
import path from "node:path";

import { bytesToHex } from "@ethereumjs/util";

import { Chain } from "../chain/chain";
import { ChainError } from "../chain/errors";
import { SHARED_KZG } from "../../precompiles/verify";
import { DevNode } from "../rpc/devNode";
import { RpcDispatcher } from "../rpc/dispatcher";
import { decodeChainFile } from "./chainFile";
import { ChainImportError } from "./errors";
import { convertGethGenesis } from "./gethGenesis";

export const CONFORMANCE_CLIENT_VERSION = "native-rollup/conformance/ethereumjs";

export interface ConformanceNode {
  readonly chain: Chain;
  readonly node: DevNode;
  /** The project's JSON-RPC dispatcher over the node, called in-process. */
  readonly dispatcher: RpcDispatcher;
  /** Milliseconds spent importing chain.rlp. */
  readonly importMs: number;
}

/** The head the suite expects: headfcu.json's forkchoice head block hash. */
export function expectedHeadHash(suiteDir: string): string | undefined {
  const file = path.join(suiteDir, "headfcu.json");
  try {
    const fcu = JSON.parse(readFileSync(file, "utf8")) as { params?: [{ headBlockHash?: string }] };
    return fcu.params?.[0]?.headBlockHash?.toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * Starts a node on the project's chain core with the suite's genesis and imports chain.rlp
 * block by block: every block is executed and must reproduce its state root and receipts.
 * The node is a DevNode without dev accounts and without automine, so submitted transactions
 * stay in its pool (as on a node following a consensus client), and its clock never runs
 * ahead of the imported head (the "pending" block is the head's next second).
 */
export async function startConformanceNode(suiteDir: string): Promise<ConformanceNode> {
  const converted = convertGethGenesis(JSON.parse(readFileSync(path.join(suiteDir, "genesis.json"), "utf8")), {
    kzg: SHARED_KZG,
  });
  const chain = await Chain.create({
    genesis: converted.genesis,
    common: converted.common,
    createGenesisBlock: converted.createGenesisBlock,
    addSystemContracts: false,
    now: () => 0n,
  });
  const started = performance.now();
  const blocks = decodeChainFile(readFileSync(path.join(suiteDir, "chain.rlp")), converted.common);
  for (const block of blocks) {
    try {
      await chain.importBlock(block);
    } catch (error) {
      if (error instanceof ChainError) throw new ChainImportError(`${error.message} (${error.hint})`);
      throw error;
    }
  }
  const importMs = performance.now() - started;
  const head = expectedHeadHash(suiteDir);
  if (head !== undefined && bytesToHex(chain.head.hash()) !== head) {
    throw new ChainImportError(
      `the imported head ${bytesToHex(chain.head.hash())} (block ${chain.headNumber}) is not headfcu.json's ${head}`,
    );
  }
  const node = new DevNode({ chain, accounts: [], clientVersion: CONFORMANCE_CLIENT_VERSION, automine: false });
  return { chain, node, dispatcher: new RpcDispatcher(node), importMs };
}
