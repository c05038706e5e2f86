import type { Common } from "@ethereumjs/common";
import { type EVMOpts, getOpcodesForHF } from "@ethereumjs/evm";
import { bigIntToBytes, setLengthLeft } from "@ethereumjs/util";

import type { ChainLog } from "./types";

type OpHandler = NonNullable<ReturnType<typeof getOpcodesForHF>["handlers"] extends Map<number, infer H> ? H : never>;
type RunState = Parameters<OpHandler>[0];
type CustomOpcode = NonNullable<EVMOpts["customOpcodes"]>[number];

const LOG0 = 0xa0;
const LOG4 = 0xa4;
const SELFDESTRUCT = 0xff;

/**
 * Told of each LOG once it has run, and of each SELFDESTRUCT once its gas is paid (its handler
 * ends the frame by throwing, so it is told just before). An opcode that fails tells nothing.
 */
export interface OpcodeListener {
  onLog(log: ChainLog): void;
  /** The contract's balance (read before the opcode ran) going to `to`. */
  onSelfdestruct(from: Uint8Array, to: Uint8Array, balance: bigint): void;
}

/**
 * LOG0–LOG4 and SELFDESTRUCT as custom opcodes that run EthereumJS' own handlers (same gas,
 * same effects) and then tell `listener`. A listener on the EVM's `step` event would see the
 * same, but a step listener makes EthereumJS build an event for every opcode (measured: a
 * loop-heavy eth_simulateV1 call ran about 4.6x slower); this costs only at those opcodes.
 * Give `opcodes()` to the EVM at creation (`customOpcodes`), then set `listener` when wanted.
 */
export class OpcodeTap {
  listener: OpcodeListener | undefined;

  /** The wrapped opcodes for `common`'s fork (gas and handlers are the fork's own). */
  opcodes(common: Common): CustomOpcode[] {
    const original = getOpcodesForHF(common);
    const wrap = (
      code: number,
      tell: (runState: RunState, before: ReadonlyArray<bigint>, balance: bigint) => void,
      peek: number,
      selfdestruct: boolean,
    ): CustomOpcode => {
      const info = original.opcodes.get(code);
      const handler = original.handlers.get(code);
      if (info === undefined || handler === undefined)
        throw new Error(`opcode 0x${code.toString(16)} is not defined at this fork`);
      const gasFunction = original.dynamicGasHandlers.get(code);
      return {
        opcode: code,
        opcodeName: info.name,
        baseFee: info.fee,
        ...(gasFunction !== undefined ? { gasFunction } : {}),
        logicFunction: async (runState: RunState, common: Common): Promise<void> => {
          const listening = this.listener !== undefined;
          const before = listening ? runState.stack.peek(peek) : [];
          if (listening && selfdestruct) {
            const balance = (await runState.stateManager.getAccount(runState.interpreter.getAddress()))?.balance ?? 0n;
            tell(runState, before, balance);
          }
          await handler(runState, common);
          if (listening && !selfdestruct) tell(runState, before, 0n);
        },
      };
    };
    const out: CustomOpcode[] = [];
    for (let code = LOG0; code <= LOG4; code++) {
      const topicCount = code - LOG0;
      out.push(
        wrap(
          code,
          (runState, [offset, size, ...topics]) => {
            const data = size === 0n ? new Uint8Array() : runState.memory.read(Number(offset), Number(size)).slice();
            const address = runState.interpreter.getAddress().bytes;
            this.listener?.onLog({ address, topics: topics.map((t) => setLengthLeft(bigIntToBytes(t), 32)), data });
          },
          2 + topicCount,
          false,
        ),
      );
    }
    out.push(
      wrap(
        SELFDESTRUCT,
        (runState, [beneficiary], balance) => {
          this.listener?.onSelfdestruct(
            runState.interpreter.getAddress().bytes,
            setLengthLeft(bigIntToBytes(beneficiary ?? 0n), 20),
            balance,
          );
        },
        1,
        true,
      ),
    );
    return out;
  }
}
