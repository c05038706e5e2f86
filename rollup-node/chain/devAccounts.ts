import { HDNodeWallet } from "ethers";

/** The mnemonic every Ethereum dev tool uses for its throw-away accounts. Its keys are public. */
export const DEV_MNEMONIC = "test test test test test test test test test test test junk";
/** BIP-44 path prefix of Ethereum accounts; account i is this path followed by /i. */
export const DEV_DERIVATION_PATH = "m/44'/60'/0'/0";
/** How many funded dev accounts a devnet (and a dev node's genesis) starts with. */
export const DEFAULT_ACCOUNT_COUNT = 10;
export const DEFAULT_DEV_BALANCE = 10_000n * 10n ** 18n;

export interface DevAccount {
  /** Checksummed address. */
  readonly address: string;
  readonly privateKey: `0x${string}`;
  readonly balance: bigint;
}

/** Keys already derived in this process, per mnemonic: a devnet start asked for them three times. */
const derivedKeys = new Map<string, { readonly address: string; readonly privateKey: `0x${string}` }[]>();

/** The first `count` accounts of `mnemonic` (same keys as Hardhat's and Anvil's defaults). */
export function deriveDevAccounts(
  count: number,
  balance: bigint = DEFAULT_DEV_BALANCE,
  mnemonic: string = DEV_MNEMONIC,
): DevAccount[] {
  let keys = derivedKeys.get(mnemonic);
  if (keys === undefined || keys.length < count) {
    // Derive the parent once: each fromPhrase runs PBKDF2 over the mnemonic (and each child a
    // secp256k1 multiplication in JS: 0.1-0.25 CPU s a devnet start, fast-tests.md round 24).
    const parent = HDNodeWallet.fromPhrase(mnemonic, undefined, DEV_DERIVATION_PATH);
    keys = Array.from({ length: count }, (_, i) => {
      const child = parent.deriveChild(i);
      return { address: child.address, privateKey: child.privateKey as `0x${string}` };
    });
    derivedKeys.set(mnemonic, keys);
  }
  return keys.slice(0, count).map((key) => ({ ...key, balance }));
}
