// The defaults of `rollup:genesis`, in a module that loads nothing: the Hardhat plugin names them
// in the task's --help while its config loads (./l2Genesis.ts loads the chain).

/**
 * Wei the node's relayer holds in a genesis written by `rollup:genesis` (1 ETH): L2Bridge repays
 * each relay at the base fee, so this is a float, not spent; the deployment backs it on L1 like
 * every genesis balance.
 */
export const DEFAULT_RELAYER_GENESIS_BALANCE = 10n ** 18n;
