/**
 * Revert data in words: what a failed L1 → L2 call (L2Bridge's MessageFailed event keeps its
 * first bytes) or a failed retry says about why it failed. Plain ethers, shared by the node (its
 * rollup_getMessageStatus and dashboard) and the SDK, so both word a failure the same way.
 */
import { AbiCoder, type Interface, dataLength, dataSlice, isHexString } from "ethers";

const ERROR_STRING_SELECTOR = "0x08c379a0";
const PANIC_SELECTOR = "0x4e487b71";

/**
 * `Error(string)` → its string; `Panic(uint256)` → "panic 0x11"; a custom error of one of
 * `abis` → `Name(arg, …)`; any other → "custom error 0x12345678"; empty → why a call reverts
 * without data (a bare `revert()`, or out of gas).
 */
export function decodeRevertReason(data: string, abis: readonly Interface[] = []): string {
  if (!isHexString(data) || dataLength(data) === 0)
    return "reverted without a reason (a bare revert, or its gas limit ran out)";
  if (dataLength(data) < 4) return `reverted with ${data}`;
  const selector = dataSlice(data, 0, 4).toLowerCase();
  try {
    if (selector === ERROR_STRING_SELECTOR)
      return String(AbiCoder.defaultAbiCoder().decode(["string"], dataSlice(data, 4))[0]);
    if (selector === PANIC_SELECTOR)
      return `panic 0x${(AbiCoder.defaultAbiCoder().decode(["uint256"], dataSlice(data, 4))[0] as bigint).toString(16)}`;
  } catch {
    // Truncated (the bridge keeps only the first bytes): fall through to the selector.
  }
  for (const abi of abis) {
    const parsed = abi.parseError(data);
    if (parsed !== null) return `${parsed.name}(${[...parsed.args].map(String).join(", ")})`;
  }
  return `custom error ${selector}`;
}
