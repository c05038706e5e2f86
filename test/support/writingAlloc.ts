import type { GenesisAccount } from "../../rollup-node/chain/genesis";
import {
  BLOCKHASH_ADDRESS,
  BLOCKHASH_CODE,
  SETTER_ADDRESS,
  SETTER_CODE,
  STORE_ADDRESS,
  STORE_AND_LOG_CODE,
  type TestSigner,
  word,
} from "../../tools/l2Fixtures";

/**
 * A genesis allocation for random writing blocks (`randomWritingTx`): the store-and-log contract and
 * the multi-slot setter over 24 pre-set slots, the BLOCKHASH reader, and each signer with 1,000 ether.
 */
export function writingAlloc(signers: readonly TestSigner[]): Record<string, GenesisAccount> {
  const storage: Record<string, `0x${string}`> = {};
  for (let slot = 1; slot <= 24; slot++) storage[`0x${word(slot)}`] = `0x${word(slot * 7)}`;
  const alloc: Record<string, GenesisAccount> = {
    [STORE_ADDRESS]: { nonce: 1n, code: STORE_AND_LOG_CODE as `0x${string}`, storage },
    [SETTER_ADDRESS]: { nonce: 1n, code: SETTER_CODE as `0x${string}`, storage },
    // BLOCKHASH of a random ancestor: the capture asks for ancestors' headers.
    [BLOCKHASH_ADDRESS]: { nonce: 1n, code: BLOCKHASH_CODE as `0x${string}` },
  };
  for (const signer of signers) alloc[signer.address.toString()] = { balance: 10n ** 21n };
  return alloc;
}
