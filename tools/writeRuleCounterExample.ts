// The s23 counter-example of EXECUTE's write rules (K1 = 5, insert K3, K1 = 0 on a storage trie of
// K1 and K2): a block whose witness differs between write-through and per-block writes, so that a
// verifier given another rule than the recorder's answers WitnessIncomplete (consensus-rules.md §5).
// Shared by the schedule's precompile tests and the tests that check the rules reach every verifier.
import { setLengthLeft, toBytes } from "@ethereumjs/util";
import { keccak256 } from "ethers";

import { TestSigner, word } from "./l2Fixtures";
import { L2TestChain } from "./l2TestChain";

const ONE_ETH = 10n ** 18n;
/** Calldata: (slot, value) pairs of 32-byte words; SSTOREs each in order, then STOP. */
const SETTER_CODE = "0x60005b8036111560185780602001358135556040016002565b00";
/** One setter contract per block: each block's counter-example needs a storage trie of exactly K1 and K2. */
export const COUNTER_EXAMPLE_SETTERS: readonly string[] = [1, 2, 3, 4].map(
  (i) => `0x${(0x5e7710 + i).toString(16).padStart(40, "0")}`,
);

const slotKey = (slot: bigint): Uint8Array => setLengthLeft(toBytes(slot), 32);

/** Three slots under different first nibbles of their hashed keys (a storage root branch of K1 and K2, K3 new). */
export function counterExampleSlots(): [bigint, bigint, bigint] {
  // The first nibble of the hashed key: its branch under the storage root.
  const nibble = (slot: bigint): number => Number.parseInt(keccak256(slotKey(slot)).slice(2, 3), 16);
  const slots: bigint[] = [];
  for (let slot = 1n; slots.length < 3; slot++) if (!slots.some((s) => nibble(s) === nibble(slot))) slots.push(slot);
  return slots as [bigint, bigint, bigint];
}

/** The setters as genesis accounts: each with the setter's code and a storage trie of K1 and K2. */
export function counterExampleSetterAccounts(): {
  readonly address: string;
  readonly code: `0x${string}`;
  readonly storage: Record<string, `0x${string}`>;
}[] {
  const [k1, k2] = counterExampleSlots();
  return COUNTER_EXAMPLE_SETTERS.map((setter) => ({
    address: setter,
    code: SETTER_CODE,
    storage: { [`0x${word(k1)}`]: "0x0a", [`0x${word(k2)}`]: "0x0b" },
  }));
}

/** A test chain `chainId` with a funded sender and the setters, each holding K1 and K2. */
export async function counterExampleChain(
  chainId: bigint,
): Promise<{ chain: L2TestChain; alice: TestSigner; slots: [bigint, bigint, bigint] }> {
  const slots = counterExampleSlots();
  const probe = await L2TestChain.create(chainId, []);
  const address = TestSigner.fromSeed(33, probe.common).address.toString();
  const chain = await L2TestChain.create(chainId, [
    { address, balance: 100n * ONE_ETH },
    ...counterExampleSetterAccounts(),
  ]);
  return { chain, alice: TestSigner.fromSeed(33, chain.common), slots };
}

/** The counter-example's one transaction's calldata (to a setter). */
export function counterExampleData([k1, , k3]: [bigint, bigint, bigint]): string {
  return `0x${[
    [k1, 5n],
    [k3, 1n],
    [k1, 0n],
  ]
    .map(([slot, value]) => word(slot) + word(value))
    .join("")}`;
}
