import type { EVMResult, Message } from "@ethereumjs/evm";
import { bigIntToBytes, hexToBytes, setLengthLeft } from "@ethereumjs/util";
import type { VM } from "@ethereumjs/vm";

import type { OpcodeListener, OpcodeTap } from "./opcodeTap";
import type { ChainLog } from "./types";

/** ERC-7528's pseudo-address for native ETH: transfer logs are emitted "by" it. */
export const ETH_TRANSFER_LOG_ADDRESS = hexToBytes("0xeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee");
/** keccak256("Transfer(address,address,uint256)"), the ERC-20 Transfer event. */
const TRANSFER_TOPIC = hexToBytes("0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef");

/** A log with its position among all the logs the block's calls emitted (kept or not). */
export interface IndexedLog extends ChainLog {
  readonly logIndex: number;
}

interface Frame {
  readonly message: Message;
  readonly logs: IndexedLog[];
  /** A value-carrying CREATE: its transfer log waits for the new address. */
  readonly pendingCreate?: { readonly index: number; readonly from: Uint8Array; readonly value: bigint };
}

function transferLog(from: Uint8Array, to: Uint8Array, value: bigint, logIndex: number): IndexedLog {
  return {
    address: ETH_TRANSFER_LOG_ADDRESS,
    topics: [TRANSFER_TOPIC, setLengthLeft(from, 32), setLengthLeft(to, 32)],
    data: setLengthLeft(bigIntToBytes(value), 32),
    logIndex,
  };
}

/**
 * The logs of eth_simulateV1's calls, collected as they are emitted (geth's simulator does the
 * same with its log tracer). With `traceTransfers`, every movement of ether (a call or create
 * with value, a SELFDESTRUCT with balance) also appears as an ERC-20-style Transfer log from
 * 0xeeee…eeee, in execution order among the contract's own logs. A reverted frame loses its
 * logs, but, as in geth, they keep their numbers: `logIndex` counts every log emitted in the
 * block, so the logs that remain may have gaps. The VM must have been created with the tap's
 * opcodes. Attach around a block's calls, `startBlock()` before its first, `reset()` before
 * each, then read `logs`.
 */
export class TransferTracer implements OpcodeListener {
  private readonly frames: Frame[] = [];
  private finished: IndexedLog[] = [];
  /** Logs emitted so far in this block, kept or not. */
  private count = 0;

  constructor(
    private readonly vm: VM,
    private readonly tap: OpcodeTap,
    private readonly traceTransfers: boolean,
  ) {}

  private nextIndex(): number {
    return this.count++;
  }

  private readonly onMessage = (message: Message): void => {
    const logs: IndexedLog[] = [];
    let pendingCreate: Frame["pendingCreate"];
    if (this.traceTransfers && message.value > 0n && message.delegatecall !== true) {
      if (message.to === undefined) {
        pendingCreate = { index: 0, from: message.caller.bytes, value: message.value };
        logs.push(transferLog(message.caller.bytes, new Uint8Array(20), message.value, this.nextIndex()));
      } else {
        logs.push(transferLog(message.caller.bytes, message.to.bytes, message.value, this.nextIndex()));
      }
    }
    this.frames.push({ message, logs, ...(pendingCreate !== undefined ? { pendingCreate } : {}) });
  };

  private readonly onResult = (result: EVMResult): void => {
    const frame = this.frames.pop();
    if (frame === undefined) return;
    if (frame.pendingCreate !== undefined) {
      const to = result.createdAddress?.bytes ?? frame.message.to?.bytes ?? new Uint8Array(20);
      const placeholder = frame.logs[frame.pendingCreate.index] as IndexedLog;
      frame.logs[frame.pendingCreate.index] = transferLog(
        frame.pendingCreate.from,
        to,
        frame.pendingCreate.value,
        placeholder.logIndex,
      );
    }
    if (result.execResult.exceptionError !== undefined) return;
    const parent = this.frames[this.frames.length - 1];
    if (parent === undefined) this.finished = frame.logs;
    else parent.logs.push(...frame.logs);
  };

  /** A LOG that ran (one that fails, e.g. out of gas, is never reported: geth does not number it). */
  onLog(log: ChainLog): void {
    this.frames[this.frames.length - 1]?.logs.push({ ...log, logIndex: this.nextIndex() });
  }

  onSelfdestruct(from: Uint8Array, to: Uint8Array, balance: bigint): void {
    if (!this.traceTransfers || balance === 0n) return;
    this.frames[this.frames.length - 1]?.logs.push(transferLog(from, to, balance, this.nextIndex()));
  }

  attach(): void {
    this.vm.evm.events?.on("beforeMessage", this.onMessage);
    this.vm.evm.events?.on("afterMessage", this.onResult);
    this.tap.listener = this;
  }

  detach(): void {
    this.vm.evm.events?.off("beforeMessage", this.onMessage);
    this.vm.evm.events?.off("afterMessage", this.onResult);
    if (this.tap.listener === this) this.tap.listener = undefined;
  }

  /** The logs of the last transaction, transfers included (empty if it failed). */
  get logs(): readonly IndexedLog[] {
    return this.finished;
  }

  /** A new block: log numbers start again at 0. */
  startBlock(): void {
    this.count = 0;
    this.reset();
  }

  /** Before each transaction. */
  reset(): void {
    this.frames.length = 0;
    this.finished = [];
  }
}
