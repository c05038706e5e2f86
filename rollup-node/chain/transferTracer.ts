import type { EVMResult, InterpreterStep, Message } from "@ethereumjs/evm";
import { bigIntToBytes, hexToBytes, setLengthLeft } from "@ethereumjs/util";
import type { VM } from "@ethereumjs/vm";

import type { ChainLog } from "./types";

/** ERC-7528's pseudo-address for native ETH: transfer logs are emitted "by" it. */
export const ETH_TRANSFER_LOG_ADDRESS = hexToBytes("0xeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee");
/** keccak256("Transfer(address,address,uint256)"), the ERC-20 Transfer event. */
const TRANSFER_TOPIC = hexToBytes("0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef");

interface Frame {
  readonly message: Message;
  readonly logs: ChainLog[];
  /** A value-carrying CREATE: its transfer log waits for the new address. */
  readonly pendingCreate?: { readonly index: number; readonly from: Uint8Array; readonly value: bigint };
}

function transferLog(from: Uint8Array, to: Uint8Array, value: bigint): ChainLog {
  return { address: ETH_TRANSFER_LOG_ADDRESS, topics: [TRANSFER_TOPIC, setLengthLeft(from, 32), setLengthLeft(to, 32)], data: setLengthLeft(bigIntToBytes(value), 32) };
}

function memorySlice(memory: Uint8Array, offset: bigint, size: bigint): Uint8Array {
  const out = new Uint8Array(Number(size));
  const start = Number(offset);
  out.set(memory.subarray(start, Math.min(start + Number(size), memory.length)));
  return out;
}

/**
 * eth_simulateV1's `traceTransfers`: every movement of ether (a call or create with value,
 * a SELFDESTRUCT with balance) appears as an ERC-20-style Transfer log from 0xeeee…eeee,
 * in execution order among the contract's own logs; a reverted frame loses its logs.
 * Attach around one transaction, then read `logs`.
 */
export class TransferTracer {
  private readonly frames: Frame[] = [];
  private finished: ChainLog[] = [];

  constructor(private readonly vm: VM) {}

  private readonly onMessage = (message: Message): void => {
    const logs: ChainLog[] = [];
    let pendingCreate: Frame["pendingCreate"];
    if (message.value > 0n && message.delegatecall !== true) {
      if (message.to === undefined) {
        pendingCreate = { index: 0, from: message.caller.bytes, value: message.value };
        logs.push(transferLog(message.caller.bytes, new Uint8Array(20), message.value));
      } else {
        logs.push(transferLog(message.caller.bytes, message.to.bytes, message.value));
      }
    }
    this.frames.push({ message, logs, ...(pendingCreate !== undefined ? { pendingCreate } : {}) });
  };

  private readonly onResult = (result: EVMResult): void => {
    const frame = this.frames.pop();
    if (frame === undefined) return;
    if (frame.pendingCreate !== undefined) {
      const to = result.createdAddress?.bytes ?? frame.message.to?.bytes ?? new Uint8Array(20);
      frame.logs[frame.pendingCreate.index] = transferLog(frame.pendingCreate.from, to, frame.pendingCreate.value);
    }
    if (result.execResult.exceptionError !== undefined) return;
    const parent = this.frames[this.frames.length - 1];
    if (parent === undefined) this.finished = frame.logs;
    else parent.logs.push(...frame.logs);
  };

  private readonly onStep = (step: InterpreterStep, resolve?: (result?: unknown) => void): void => {
    this.record(step)
      .catch(() => undefined)
      .finally(() => resolve?.());
  };

  private async record(step: InterpreterStep): Promise<void> {
    const frame = this.frames[this.frames.length - 1];
    if (frame === undefined) return;
    const name = step.opcode.name;
    const stack = step.stack;
    const top = (i: number): bigint => stack[stack.length - 1 - i] ?? 0n;
    if (name.startsWith("LOG")) {
      const count = Number(name.slice(3));
      const topics: Uint8Array[] = [];
      for (let i = 0; i < count; i++) topics.push(setLengthLeft(bigIntToBytes(top(2 + i)), 32));
      frame.logs.push({ address: step.address.bytes, topics, data: memorySlice(step.memory, top(0), top(1)) });
    } else if (name === "SELFDESTRUCT") {
      const balance = (await this.vm.stateManager.getAccount(step.address))?.balance ?? 0n;
      if (balance > 0n) frame.logs.push(transferLog(step.address.bytes, setLengthLeft(bigIntToBytes(top(0)), 20), balance));
    }
  }

  attach(): void {
    this.vm.evm.events?.on("beforeMessage", this.onMessage);
    this.vm.evm.events?.on("afterMessage", this.onResult);
    this.vm.evm.events?.on("step", this.onStep);
  }

  detach(): void {
    this.vm.evm.events?.off("beforeMessage", this.onMessage);
    this.vm.evm.events?.off("afterMessage", this.onResult);
    this.vm.evm.events?.off("step", this.onStep);
  }

  /** The logs of the last transaction, transfers included (empty if it failed). */
  get logs(): readonly ChainLog[] {
    return this.finished;
  }

  reset(): void {
    this.frames.length = 0;
    this.finished = [];
  }
}
