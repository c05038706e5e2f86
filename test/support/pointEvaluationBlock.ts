import { createChainCommon } from "../../rollup-node/chain/genesis";
import { TestSigner } from "../../tools/l2Fixtures";
import { type BuiltBlock, L2TestChain } from "../../tools/l2TestChain";

export const POINT_EVALUATION = "0x000000000000000000000000000000000000000a";

/**
 * One L2 block of calls to the point-evaluation precompile (0x0a), one per input, built as the
 * sequencer builds (its chain Common carries the node's KZG), by a funded sender of seed `seed`.
 */
export async function pointEvaluationBlock(
  chainId: bigint,
  seed: number,
  inputs: readonly string[],
  gasLimit: bigint,
): Promise<BuiltBlock> {
  const l1Common = createChainCommon(1337n);
  const probe = await L2TestChain.create(chainId, [], { l1Common });
  const sender = TestSigner.fromSeed(seed, probe.common);
  const chain = await L2TestChain.create(chainId, [{ address: sender.address.toString(), balance: 10n ** 20n }], {
    l1Common,
  });
  const signer = new TestSigner(sender.privateKey, chain.common);
  return chain.buildBlock(inputs.map((data) => signer.tx({ to: POINT_EVALUATION, data, gasLimit })));
}
