import type { EVMResult, Message } from "@ethereumjs/evm";
import type { TypedTransaction } from "@ethereumjs/tx";

import type { VM } from "@ethereumjs/vm";

import { decodeErrorString } from "./revert";

export type CallType = "CALL" | "STATICCALL" | "DELEGATECALL" | "CALLCODE" | "CREATE" | "CREATE2";

/** One frame of geth's callTracer output, before JSON formatting. */
export interface CallFrame {
  type: CallType;
  from: Uint8Array;
  to: Uint8Array | undefined;
  value: bigint | undefined;
  gas: bigint;
  gasUsed: bigint;
  input: Uint8Array;
  output: Uint8Array | undefined;
  error: string | undefined;
  revertReason: string | undefined;
  calls: CallFrame[];
}

function callType(message: Message, parentStatic: boolean): CallType {
  if (message.to === undefined) return message.salt !== undefined ? "CREATE2" : "CREATE";
  if (message.delegatecall) return "DELEGATECALL";
  if (message.isStatic && !parentStatic) return "STATICCALL";
  if (message._codeAddress !== undefined && !message._codeAddress.equals(message.to)) return "CALLCODE";
  return "CALL";
}

function errorText(error: string): string {
  return error === "revert" ? "execution reverted" : error;
}

/**
 * Records the message tree of each transaction run on `vm` while attached, built from the
 * EVM's beforeMessage/afterMessage events. Messages outside transactions (the system calls a
 * block makes before and after them) are ignored.
 */
export class CallTracer {
  private readonly stack: { frame: CallFrame; isStatic: boolean }[] = [];
  private root: CallFrame | undefined;
  private inTx = false;
  /** Root frame of every transaction run so far, in order. */
  readonly frames: (CallFrame | undefined)[] = [];
  private readonly onBefore = (message: Message): void => {
    if (this.inTx) this.enter(message);
  };
  private readonly onAfter = (result: EVMResult): void => {
    if (this.inTx) this.exit(result);
  };
  private readonly onTxStart = (): void => {
    this.inTx = true;
    this.root = undefined;
    this.stack.length = 0;
  };
  private readonly onTxEnd = (): void => {
    this.inTx = false;
    this.frames.push(this.root);
  };

  constructor(private readonly vm: VM) {}

  attach(): void {
    this.vm.events.on("beforeTx", this.onTxStart);
    this.vm.events.on("afterTx", this.onTxEnd);
    this.vm.evm.events?.on("beforeMessage", this.onBefore);
    this.vm.evm.events?.on("afterMessage", this.onAfter);
  }

  detach(): void {
    this.vm.events.off("beforeTx", this.onTxStart);
    this.vm.events.off("afterTx", this.onTxEnd);
    this.vm.evm.events?.off("beforeMessage", this.onBefore);
    this.vm.evm.events?.off("afterMessage", this.onAfter);
  }

  /** The frame of transaction `index`, with the transaction's own gas figures on the root. */
  result(index: number, tx: TypedTransaction, gasUsed: bigint): CallFrame | undefined {
    const root = this.frames[index];
    if (root === undefined) return undefined;
    root.gas = tx.gasLimit;
    root.gasUsed = gasUsed;
    return root;
  }

  private enter(message: Message): void {
    const parent = this.stack[this.stack.length - 1];
    const type = callType(message, parent?.isStatic ?? false);
    const frame: CallFrame = {
      type,
      from: message.caller.bytes,
      to: message.to?.bytes,
      value: type === "STATICCALL" || type === "DELEGATECALL" ? undefined : message.value,
      gas: message.gasLimit,
      gasUsed: 0n,
      input: message.data,
      output: undefined,
      error: undefined,
      revertReason: undefined,
      calls: [],
    };
    if (parent === undefined) this.root = frame;
    else parent.frame.calls.push(frame);
    this.stack.push({ frame, isStatic: message.isStatic });
  }

  private exit(result: EVMResult): void {
    const entry = this.stack.pop();
    if (entry === undefined) return;
    const { frame } = entry;
    const exec = result.execResult;
    frame.gasUsed = exec.executionGasUsed;
    if (frame.to === undefined && result.createdAddress !== undefined) frame.to = result.createdAddress.bytes;
    const isCreate = frame.type === "CREATE" || frame.type === "CREATE2";
    // geth reports a create's output as the deployed code; EthereumJS returns it as returnValue too.
    frame.output = exec.returnValue.length > 0 || !isCreate ? exec.returnValue : undefined;
    if (exec.exceptionError !== undefined) {
      frame.error = errorText(exec.exceptionError.error);
      frame.revertReason = exec.exceptionError.error === "revert" ? decodeErrorString(exec.returnValue) : undefined;
      if (exec.exceptionError.error !== "revert") frame.output = undefined;
    }
  }
}
