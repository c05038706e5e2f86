/**
 * Addresses and message rules shared with the contracts and the node: one source of truth
 * (protocol/messages.ts mirrors Messages.sol and RollupConstants.sol in plain ethers).
 */
export { DEFAULT_CROSS_DOMAIN_SENDER, L2_BRIDGE_ADDRESS, hashL1Message, hashL2Message } from "../protocol";

/** Gas of the L2 call of an L1 → L2 message when `sendMessage` is not given one. */
export const DEFAULT_MESSAGE_GAS_LIMIT = 200_000n;
/** Milliseconds between the client's polls (receipts, statuses, blocks). */
export const DEFAULT_POLLING_INTERVAL_MS = 250;
/** How long a transaction may take to be mined before the client gives up. */
export const DEFAULT_RECEIPT_TIMEOUT_MS = 60_000;
/** How long waitForMessageStatus / waitForL2Block wait when not told. */
export const DEFAULT_WAIT_TIMEOUT_MS = 120_000;
