import { EventEmitter } from "node:events";

import { extendEnvironment } from "hardhat/config";
import type { EthereumProvider, JsonRpcRequest, JsonRpcResponse, RequestArguments } from "hardhat/types";

import { type L1Devnet, startL1Devnet } from "../rollup-node/devnet/l1Devnet";
import { ProviderRpcError } from "../rollup-node/rpc/eip1193";

/** The Hardhat network served in-process by the L1 devnet (EthereumJS EVM + EXECUTE). */
export const IN_PROCESS_NETWORK = "devnet";
/** Placeholder URL for hardhat.config.ts: never dialled, the provider is replaced. */
export const IN_PROCESS_URL = "http://127.0.0.1:0/in-process";

/**
 * An EIP-1193 provider that starts the devnet on first use: Hardhat builds its environment
 * synchronously, and commands that never touch the network (compile) should not pay for it.
 */
class LazyDevnetProvider extends EventEmitter implements EthereumProvider {
  private devnet: Promise<L1Devnet> | undefined;

  private start(): Promise<L1Devnet> {
    this.devnet ??= startL1Devnet({ http: false });
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
        const e = error instanceof ProviderRpcError ? error : new ProviderRpcError(-32603, String(error));
        callback(null, { jsonrpc: "2.0", id: payload.id, error: { code: e.code, message: e.message, data: e.data } });
      },
    );
  }
}

extendEnvironment((hre) => {
  if (hre.network.name !== IN_PROCESS_NETWORK) return;
  // hardhat-ethers and the network helpers read hre.network.provider lazily, so replacing it
  // here routes every request of tests and scripts into the in-process devnet.
  hre.network.provider = new LazyDevnetProvider();
});
