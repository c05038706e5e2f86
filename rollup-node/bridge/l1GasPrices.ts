/**
 * The L1 (EVM) prices the node's gas bounds are made of (./advanceGas.ts for `advance`,
 * ./challengeBound.ts for `challenge`), declared once: the bounds must move together if a fork
 * reprices one of them.
 */

/** Every transaction's base cost. */
export const TX_BASE_GAS = 21_000n;
/** EIP-2028: 4 gas per zero calldata byte, 16 per other byte, i.e. 4 per token (a non-zero byte is 4 tokens). */
export const STANDARD_GAS_PER_TOKEN = 4n;
/** EIP-7623 (Prague): a transaction uses at least 21,000 + 10 per calldata token. */
export const FLOOR_GAS_PER_TOKEN = 10n;
/** Calldata tokens of a non-zero byte (a zero byte is one). */
export const TOKENS_PER_NONZERO_BYTE = 4n;
/** MCOPY / CALLDATACOPY price per copied word. */
export const COPY_GAS_PER_WORD = 3n;
/** KECCAK256: 30 per hash plus 6 per word hashed. */
export const KECCAK_GAS = 30n;
export const KECCAK_GAS_PER_WORD = 6n;
/** LOG data price per byte. */
export const LOG_GAS_PER_BYTE = 8n;
