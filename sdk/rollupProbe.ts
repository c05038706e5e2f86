/**
 * Is this address a rollup contract? Asked before anything sends value to it: a deposit to a
 * wrong address (an account, a token, another contract) would lose the ETH, so the SDK and the
 * rollup:* tasks refuse it before signing.
 */
import { type Provider, getAddress } from "ethers";

import { connectNativeRollup, NATIVE_ROLLUP_INTERFACE } from "./contracts";
import { RollupSdkError } from "./errors";

/** The address holds no rollup contract: nothing was sent. */
export class NotARollupError extends RollupSdkError {
  constructor(
    readonly address: string,
    why: string,
  ) {
    super(
      "NOT_A_ROLLUP",
      `${address} is not a rollup contract (${why}); nothing was sent`,
      "check the rollup address (rollup:deploy prints it and writes deployment.json); on another L1 than the devnet pass --rollup 0x… or the deployment's address",
    );
  }
}

/**
 * Checks that `address` holds a NativeRollup: it has code, and answers two calls as only a rollup
 * does — `L2_CHAIN_ID()` with a chain id, and `messageHash(messageCount())`, one past the queue,
 * with NativeRollup's own `UnknownMessage(nonce)` revert. A contract with a catch-all fallback
 * passes the first but not the second; an account without code passes neither.
 */
export async function assertRollupContract(provider: Provider, address: string): Promise<void> {
  const target = getAddress(address);
  const code = await provider.getCode(target);
  if (code === "0x") throw new NotARollupError(target, "no code at this address on L1");
  const rollup = connectNativeRollup(target, provider);
  let count: bigint;
  try {
    await rollup.L2_CHAIN_ID();
    count = await rollup.messageCount();
  } catch {
    throw new NotARollupError(target, "it does not answer NativeRollup's L2_CHAIN_ID() and messageCount()");
  }
  try {
    await rollup.messageHash(count);
  } catch (error) {
    const data = revertData(error);
    const parsed = data === undefined ? null : NATIVE_ROLLUP_INTERFACE.parseError(data);
    if (parsed?.name === "UnknownMessage" && parsed.args[0] === count) return;
  }
  throw new NotARollupError(target, "messageHash past the queue does not revert with NativeRollup's UnknownMessage");
}

function revertData(error: unknown): string | undefined {
  const data = (error as { data?: unknown }).data;
  return typeof data === "string" && data.length >= 10 ? data : undefined;
}
