import type { StateManagerInterface } from "@ethereumjs/common";
import { type Account, type Address, KECCAK256_NULL } from "@ethereumjs/util";

/** Arms the bypass for the next transaction's sender; disarm after the transaction. */
export interface SenderCodeCheckBypass {
  arm(sender: Address): void;
  disarm(): void;
}

/**
 * geth's simulator (eth_simulateV1 without validation) skips the transaction pre-checks,
 * EIP-3607's "the sender has no code" among them, so a contract may send a call. EthereumJS'
 * runTx applies that check unconditionally to the account it reads for the sender. Armed for a
 * sender, the next read of that account shows an empty code hash to exactly one reader — the
 * check, which is the first to look at it — and the real one from then on, so the account runTx
 * writes back (balance and nonce changed) keeps its code.
 *
 * For a private, throw-away simulation state manager only: it replaces `getAccount` on it.
 */
export function bypassSenderCodeCheck(state: StateManagerInterface): SenderCodeCheckBypass {
  const read = state.getAccount.bind(state);
  let armed: Address | undefined;
  state.getAccount = async (address: Address): Promise<Account | undefined> => {
    const account = await read(address);
    if (armed === undefined || account === undefined || !address.equals(armed)) return account;
    armed = undefined;
    if (!account.isContract()) return account;
    const holder = account as unknown as { _codeHash: Uint8Array | null };
    let shown = false;
    Object.defineProperty(account, "codeHash", {
      configurable: true,
      get: (): Uint8Array | null => {
        if (shown) return holder._codeHash;
        shown = true;
        return KECCAK256_NULL;
      },
      set: (value: Uint8Array) => {
        holder._codeHash = value;
      },
    });
    return account;
  };
  return {
    arm: (sender) => {
      armed = sender;
    },
    disarm: () => {
      armed = undefined;
    },
  };
}
