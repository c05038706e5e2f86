// Stand-ins for a contract method that the submit loops' attack tests send through (the advance
// submitter's `advance`, the challenger's `challenge`), and the one-transfer L2 block they send.
import { TestSigner } from "../../tools/l2Fixtures";
import { type BuiltBlock, L2TestChain } from "../../tools/l2TestChain";

/** A sent transaction as the loops see it: its hash, and a wait that ends as the test says. */
interface SentTransaction {
  readonly hash: string;
  wait(): Promise<never>;
}

/**
 * A contract method whose every send records its gas limit in `sent` and whose transaction ends
 * with `waitFails(gasLimit)`; its `staticCall` (the loops' simulation) reverts with `callRevertData`.
 */
export function revertingMethod(
  txHash: string,
  waitFails: (gasLimit: bigint) => Error,
  callRevertData: string,
): {
  readonly method: ((...args: unknown[]) => Promise<SentTransaction>) & { staticCall(): Promise<never> };
  readonly sent: bigint[];
} {
  const sent: bigint[] = [];
  const method = Object.assign(
    async (...args: unknown[]): Promise<SentTransaction> => {
      const { gasLimit } = args[args.length - 1] as { gasLimit: bigint };
      sent.push(gasLimit);
      return {
        hash: txHash,
        wait: async () => {
          throw waitFails(gasLimit);
        },
      };
    },
    {
      staticCall: async (): Promise<never> => {
        throw Object.assign(new Error("execution reverted"), { data: callRevertData });
      },
    },
  );
  return { method, sent };
}

/** L2 block 1 of a fresh test chain `chainId`: one transfer from the test signer of `seed`. */
export async function oneTransferBlock(chainId: bigint, seed: number): Promise<BuiltBlock> {
  const probe = await L2TestChain.create(chainId, []);
  const sender = TestSigner.fromSeed(seed, probe.common);
  const chain = await L2TestChain.create(chainId, [{ address: sender.address.toString(), balance: 10n ** 20n }]);
  return chain.buildBlock([
    TestSigner.fromSeed(seed, chain.common).tx({ to: "0x00000000000000000000000000000000000000aa", value: 1n }),
  ]);
}
