import { EventEmitter } from "node:events";

import { extendEnvironment } from "hardhat/config";
import type { EthereumProvider, JsonRpcRequest, JsonRpcResponse, RequestArguments } from "hardhat/types";

// Types only at the top: this file loads with the config for every task, and the devnet's code
// (the chain, the EVM, the precompiles) is most of what a task would otherwise wait for before
// doing anything (docs/design/task-startup.md); it loads on the first request.
import type { L1Devnet } from "../rollup-node/devnet/l1Devnet";
import type { ResolvedRollupConfig } from "./rollupConfig";
import type { ProviderRpcError } from "../rollup-node/rpc/eip1193";

/** The Hardhat network served in-process by the L1 devnet (EthereumJS EVM + EXECUTE). */
export const IN_PROCESS_NETWORK = "devnet";
/** Placeholder URL for hardhat.config.ts: never dialled, the provider is replaced. */
export const IN_PROCESS_URL = "http://127.0.0.1:0/in-process";

/**
 * An EIP-1193 provider that starts the devnet on first use: Hardhat builds its environment
 * synchronously, and commands that never touch the network (compile) should not pay for it.
 */
export class LazyDevnetProvider extends EventEmitter implements EthereumProvider {
  private devnet: Promise<L1Devnet> | undefined;

  /**
   * `rollup`: the project's rollup section; its L2's write rules (`genesis.writeRules`) go to
   * EXECUTE for its chain id, so that contract tests verify the L2's blocks as its node records them.
   */
  constructor(private readonly rollup: Pick<ResolvedRollupConfig, "l2ChainId" | "writeRules">) {
    super();
  }

  private start(): Promise<L1Devnet> {
    const { l2ChainId, writeRules } = this.rollup;
    this.devnet ??= import("../rollup-node/devnet/l1Devnet").then(({ startL1Devnet }) =>
      startL1Devnet({
        http: false,
        ...(writeRules === undefined ? {} : { execute: { writeRules: new Map([[l2ChainId, writeRules]]) } }),
      }),
    );
    return this.devnet;
  }

  async request(args: RequestArguments): Promise<unknown> {
    const devnet = await this.start();
    return devnet.provider.request({ method: args.method, params: (args.params as unknown[] | undefined) ?? [] });
  }

  send(method: string, params?: unknown[]): Promise<unknown> {
    return this.request({ method, params });
  }

  sendAsync(payload: JsonRpcRequest, callback: (error: Error | null, response: JsonRpcResponse) => void): void {
    this.request({ method: payload.method, params: payload.params }).then(
      (result) => callback(null, { jsonrpc: "2.0", id: payload.id, result }),
      (error: unknown) => {
        // The in-process provider rejects with a ProviderRpcError (the wire's error object); anything
        // else is a failure of the devnet itself.
        const e = isProviderRpcError(error) ? error : { code: -32603, message: String(error), data: undefined };
        callback(null, { jsonrpc: "2.0", id: payload.id, error: { code: e.code, message: e.message, data: e.data } });
      },
    );
  }
}

/** A ProviderRpcError, told by its name: the class itself loads with the devnet, on first use. */
function isProviderRpcError(error: unknown): error is ProviderRpcError {
  return (
    error instanceof Error &&
    error.name === "ProviderRpcError" &&
    typeof (error as { code?: unknown }).code === "number"
  );
}

extendEnvironment((hre) => {
  if (hre.network.name !== IN_PROCESS_NETWORK) return;
  // hardhat-ethers and the network helpers read hre.network.provider lazily, so replacing it
  // here routes every request of tests and scripts into the in-process devnet.
  hre.network.provider = new LazyDevnetProvider(hre.config.rollup);
});
