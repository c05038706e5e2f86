/**
 * The contracts' ABIs as ethers Interfaces, and the decoding of what they emit and revert with:
 * the one place the node, the SDK, the tasks and the tests turn logs and revert data into values.
 * The ABIs come from TypeChain (`npx hardhat compile` writes typechain-types/).
 */
import { Interface, type Result, getAddress, isHexString } from "ethers";

import { L2Bridge__factory, NativeRollup__factory, OptimisticRollup__factory } from "../typechain-types";
import type { L1Message, L2Message } from "./messages";

/** NativeRollup's ABI: every rollup inherits it (advance, messages, finalizeMessage, their events and errors). */
export const NATIVE_ROLLUP_INTERFACE: Interface = NativeRollup__factory.createInterface() as unknown as Interface;
/** OptimisticRollup's ABI: NativeRollup's plus propose / challenge / finalize / prove and their events and errors. */
export const OPTIMISTIC_ROLLUP_INTERFACE: Interface =
  OptimisticRollup__factory.createInterface() as unknown as Interface;
/** The L2Bridge predeploy's ABI. */
export const L2_BRIDGE_INTERFACE: Interface = L2Bridge__factory.createInterface() as unknown as Interface;
/** EXECUTE's revert, which `advance` bubbles up unchanged (declared in Execute.sol). */
export const EXECUTE_ERROR_INTERFACE = new Interface(["error ExecuteInvalid(uint8 code, string reason)"]);
/**
 * Execute.sol's own reverts when the executor gave no EXECUTE answer (no precompile at 0x0101, a
 * result of the wrong size). Library errors are not in the rollup's ABI, so they are decoded here.
 */
export const EXECUTOR_FAILURE_INTERFACE = new Interface([
  "error ExecuteUnavailable()",
  "error ExecuteMalformedResult(uint256 length)",
]);

/** A log as both ethers and the node's chain hand it out (hex strings). */
export interface EncodedLog {
  readonly data: string;
  readonly topics: readonly string[];
}

/** A MessageQueued event of the rollup contract: the queued message and the hash the contract computed. */
export interface QueuedMessageEvent extends L1Message {
  readonly messageHash: string;
}

/** A MessageSentToL1 event of L2Bridge: the sent message and its hash. */
export interface SentMessageEvent extends L2Message {
  readonly messageHash: string;
}

/** The topic of the rollup's MessageQueued event (for getLogs filters). */
export const MESSAGE_QUEUED_TOPIC = NATIVE_ROLLUP_INTERFACE.getEvent("MessageQueued")?.topicHash as string;
/** The topic of L2Bridge's MessageSentToL1 event. */
export const MESSAGE_SENT_TOPIC = L2_BRIDGE_INTERFACE.getEvent("MessageSentToL1")?.topicHash as string;

/** The fields both message events carry, from a parsed log. */
function messageFields(args: Result): SentMessageEvent {
  return {
    nonce: args.nonce as bigint,
    from: getAddress(args.from as string),
    to: getAddress(args.to as string),
    value: args.value as bigint,
    data: args.data as string,
    messageHash: args.messageHash as string,
  };
}

/** The rollup's MessageQueued event in `log`, or undefined for any other log. */
export function decodeMessageQueued(log: EncodedLog): QueuedMessageEvent | undefined {
  if (log.topics[0]?.toLowerCase() !== MESSAGE_QUEUED_TOPIC) return undefined;
  const parsed = NATIVE_ROLLUP_INTERFACE.parseLog({ data: log.data, topics: [...log.topics] });
  return parsed === null ? undefined : { ...messageFields(parsed.args), gasLimit: parsed.args.gasLimit as bigint };
}

/** L2Bridge's MessageSentToL1 event in `log`, or undefined for any other log. */
export function decodeMessageSentToL1(log: EncodedLog): SentMessageEvent | undefined {
  if (log.topics[0]?.toLowerCase() !== MESSAGE_SENT_TOPIC) return undefined;
  const parsed = L2_BRIDGE_INTERFACE.parseLog({ data: log.data, topics: [...log.topics] });
  return parsed === null ? undefined : messageFields(parsed.args);
}

/** The revert data an ethers error carries, wherever the provider put it (`data`, `error`, `info`, `cause`). */
export function revertDataOf(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  const visit = (value: unknown): string | undefined => {
    if (typeof value !== "object" || value === null || seen.has(value)) return undefined;
    seen.add(value);
    const record = value as Record<string, unknown>;
    if (typeof record.data === "string" && isHexString(record.data) && record.data.length >= 10) return record.data;
    for (const key of ["error", "info", "cause"]) {
      const found = visit(record[key]);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return visit(error);
}

/** A revert of a rollup contract or of EXECUTE, decoded. */
export interface DecodedRevert {
  readonly name: string;
  readonly args: readonly unknown[];
  /** EXECUTE's error code when the revert is ExecuteInvalid. */
  readonly executeCode?: number;
  /** One line for logs: `ExecuteInvalid(StateRootMismatch=72, "…")`. */
  readonly text: string;
}

/**
 * Decodes revert data of a rollup entry point (`advance`, `finalizeMessage`, `propose`, …);
 * undefined for data no known ABI explains. `executeCodeName` names an EXECUTE error code (the
 * node passes precompiles' table; without it the number is shown alone).
 */
export function decodeRollupRevert(
  data: string,
  executeCodeName?: (code: number) => string,
): DecodedRevert | undefined {
  if (!isHexString(data) || data.length < 10) return undefined;
  const execute = EXECUTE_ERROR_INTERFACE.parseError(data);
  if (execute !== null) {
    const code = Number(execute.args[0]);
    const reason = String(execute.args[1]);
    const shown = executeCodeName === undefined ? `${code}` : `${executeCodeName(code)}=${code}`;
    return {
      name: execute.name,
      args: [code, reason],
      executeCode: code,
      text: `ExecuteInvalid(${shown}, "${reason}")`,
    };
  }
  // OptimisticRollup's errors are a superset of NativeRollup's.
  const parsed =
    OPTIMISTIC_ROLLUP_INTERFACE.parseError(data) ??
    NATIVE_ROLLUP_INTERFACE.parseError(data) ??
    EXECUTOR_FAILURE_INTERFACE.parseError(data);
  if (parsed === null) return undefined;
  const args = [...parsed.args] as unknown[];
  return { name: parsed.name, args, text: `${parsed.name}(${args.map(String).join(", ")})` };
}
