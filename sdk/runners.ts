import type { Provider, Signer } from "ethers";

import { InvalidArgumentError, SignerRequiredError } from "./errors";

/** What the client is built from on each layer: a signer (to send) or a provider (read-only). */
export type Runner = Signer | Provider;

/** Anything that answers raw JSON-RPC calls (JsonRpcProvider, BrowserProvider, …). */
export interface RpcSender {
  send(method: string, params: unknown[]): Promise<unknown>;
}

export function isSigner(runner: Runner): runner is Signer {
  return (
    typeof (runner as Partial<Signer>).getAddress === "function" &&
    typeof (runner as Partial<Signer>).signTransaction === "function"
  );
}

/** The provider behind a runner: the runner itself, or the provider a signer is connected to. */
export function providerOf(runner: Runner, layer: "L1" | "L2"): Provider {
  if (!isSigner(runner)) return runner;
  if (runner.provider === null)
    throw new InvalidArgumentError(
      `the ${layer} signer is not connected to a provider`,
      `connect it first: signer.connect(${layer.toLowerCase()}Provider)`,
    );
  return runner.provider;
}

/** The signer of a layer, or SignerRequiredError naming the action that needed it. */
export function signerOf(runner: Runner, layer: "L1" | "L2", action: string): Signer {
  if (!isSigner(runner)) throw new SignerRequiredError(layer, action);
  return runner;
}

/** The provider's raw JSON-RPC channel, when it has one (the rollup_* methods need it). */
export function rpcSenderOf(provider: Provider): RpcSender | undefined {
  const candidate = provider as Partial<RpcSender>;
  return typeof candidate.send === "function" ? (provider as unknown as RpcSender) : undefined;
}
