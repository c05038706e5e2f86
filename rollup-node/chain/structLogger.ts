import type { EVMResult, InterpreterStep } from "@ethereumjs/evm";
import { bigIntToBytes, bytesToHex, setLengthLeft } from "@ethereumjs/util";
import type { AfterTxEvent, VM } from "@ethereumjs/vm";

/** geth's default tracer options (debug_trace* without `tracer`). */
export interface StructLogOptions {
  readonly disableStack?: boolean;
  readonly disableStorage?: boolean;
  readonly enableMemory?: boolean;
  readonly enableReturnData?: boolean;
}

/** One executed opcode, as geth's struct logger reports it. */
export interface StructLog {
  readonly pc: number;
  readonly op: string;
  readonly gas: bigint;
  readonly gasCost: bigint;
  readonly depth: number;
  readonly stack?: readonly bigint[];
  readonly memory?: readonly Uint8Array[];
  /** The contract's storage slots touched so far (SLOAD/SSTORE), hex word → hex word. */
  readonly storage?: Readonly<Record<string, string>>;
  readonly returnData?: Uint8Array;
  readonly refund?: bigint;
}

/** A transaction's trace: its gas, whether it failed, its return data and every step. */
export interface StructTrace {
  readonly gas: bigint;
  readonly failed: boolean;
  readonly returnValue: Uint8Array;
  readonly structLogs: readonly StructLog[];
}

const HALTING = new Set(["STOP", "RETURN", "REVERT", "SELFDESTRUCT", "INVALID"]);

const word = (value: bigint): string => bytesToHex(setLengthLeft(bigIntToBytes(value), 32));

/**
 * geth's struct logger over the EVM's step events: one entry per opcode with the gas left,
 * the opcode's cost, the call depth and (by option) stack, memory words and storage.
 * Attach around a block replay; `traces` holds one trace per transaction run.
 */
export class StructLogger {
  readonly traces: StructTrace[] = [];
  private logs: StructLog[] = [];
  /** Storage seen per contract address during the current transaction. */
  private storage = new Map<string, Record<string, string>>();
  private lastReturn: Uint8Array = new Uint8Array();

  constructor(
    private readonly vm: VM,
    private readonly options: StructLogOptions,
  ) {}

  private readonly onTxStart = (): void => {
    this.logs = [];
    this.storage = new Map();
    this.lastReturn = new Uint8Array();
    this.depth = 0;
  };

  private readonly onTxEnd = (event: AfterTxEvent): void => {
    const exec = event.execResult;
    this.traces.push({
      gas: event.totalGasSpent,
      failed: exec.exceptionError !== undefined,
      returnValue: exec.returnValue,
      structLogs: this.logs,
    });
  };

  // Two parameters: EthereumJS then awaits the listener (SLOAD reads the slot's value).
  private readonly onStep = (step: InterpreterStep, resolve?: (result?: unknown) => void): void => {
    this.record(step)
      .catch(() => undefined)
      .finally(() => resolve?.());
  };

  private async record(step: InterpreterStep): Promise<void> {
    const name = step.opcode.name;
    const key = step.address.toString();
    let storage: Record<string, string> | undefined;
    if (this.options.disableStorage !== true && (name === "SLOAD" || name === "SSTORE")) {
      const slots = { ...(this.storage.get(key) ?? {}) };
      const slot = step.stack[step.stack.length - 1] ?? 0n;
      // SSTORE's value is on the stack; SLOAD shows the slot's current value, as geth does.
      if (name === "SSTORE") slots[word(slot)] = word(step.stack[step.stack.length - 2] ?? 0n);
      else
        slots[word(slot)] = bytesToHex(
          setLengthLeft(
            await this.vm.stateManager.getStorage(step.address, setLengthLeft(bigIntToBytes(slot), 32)),
            32,
          ),
        );
      this.storage.set(key, slots);
      storage = slots;
    }
    const memory: Uint8Array[] = [];
    if (this.options.enableMemory === true)
      for (let i = 0; i < step.memory.length; i += 32) memory.push(step.memory.subarray(i, i + 32));
    this.logs.push({
      pc: step.pc,
      op: name,
      gas: step.gasLeft,
      // EthereumJS' dynamicFee is the opcode's whole cost once computed (static part included).
      gasCost: step.opcode.dynamicFee ?? BigInt(step.opcode.fee),
      depth: step.depth + 1,
      ...(this.options.disableStack === true ? {} : { stack: [...step.stack] }),
      ...(memory.length > 0 ? { memory } : {}),
      ...(storage !== undefined ? { storage } : {}),
      ...(this.options.enableReturnData === true && this.lastReturn.length > 0 ? { returnData: this.lastReturn } : {}),
      ...(step.gasRefund > 0n ? { refund: step.gasRefund } : {}),
    });
  }

  /** Call depth (1 = the transaction's own frame), as geth counts it. */
  private depth = 0;

  private readonly onMessageStart = (): void => {
    this.depth++;
  };

  private readonly onMessageEnd = (result: EVMResult): void => {
    const exec = result.execResult;
    const runState = exec.runState;
    // Code that runs off its end executes an implicit STOP, which geth logs and EthereumJS does not step.
    if (
      exec.exceptionError === undefined &&
      runState !== undefined &&
      runState.programCounter >= runState.code.length &&
      !this.haltedExplicitly()
    ) {
      this.logs.push({
        pc: runState.programCounter,
        op: "STOP",
        gas: runState.gasLeft,
        gasCost: 0n,
        depth: this.depth,
        ...(this.options.disableStack === true ? {} : { stack: runState.stack.getStack() }),
      });
    }
    this.depth--;
    this.lastReturn = exec.returnValue;
  };

  /** Whether the current frame's last logged opcode ended it (then no implicit STOP follows). */
  private haltedExplicitly(): boolean {
    for (let i = this.logs.length - 1; i >= 0; i--) {
      const log = this.logs[i] as StructLog;
      if (log.depth === this.depth) return HALTING.has(log.op);
      if (log.depth < this.depth) return true;
    }
    return true;
  }

  attach(): void {
    this.vm.events.on("beforeTx", this.onTxStart);
    this.vm.events.on("afterTx", this.onTxEnd);
    this.vm.evm.events?.on("step", this.onStep);
    this.vm.evm.events?.on("beforeMessage", this.onMessageStart);
    this.vm.evm.events?.on("afterMessage", this.onMessageEnd);
  }

  detach(): void {
    this.vm.events.off("beforeTx", this.onTxStart);
    this.vm.events.off("afterTx", this.onTxEnd);
    this.vm.evm.events?.off("step", this.onStep);
    this.vm.evm.events?.off("beforeMessage", this.onMessageStart);
    this.vm.evm.events?.off("afterMessage", this.onMessageEnd);
  }
}
