/**
 * A small EVM assembler for tests that build contracts around an edge case of the verifier
 * (test/precompiles/stateReadCacheScenarios.test.ts, lazyHashTrieScenarios.test.ts).
 */

const OPCODES: Readonly<Record<string, number>> = {
  STOP: 0x00,
  ADD: 0x01,
  MOD: 0x06,
  LT: 0x10,
  GT: 0x11,
  ISZERO: 0x15,
  CALLER: 0x33,
  CALLVALUE: 0x34,
  CALLDATALOAD: 0x35,
  CALLDATASIZE: 0x36,
  CALLDATACOPY: 0x37,
  CODECOPY: 0x39,
  BALANCE: 0x31,
  EXTCODEHASH: 0x3f,
  POP: 0x50,
  SLOAD: 0x54,
  SSTORE: 0x55,
  JUMP: 0x56,
  JUMPI: 0x57,
  GAS: 0x5a,
  JUMPDEST: 0x5b,
  DUP1: 0x80,
  DUP2: 0x81,
  DUP6: 0x85,
  CREATE2: 0xf5,
  CALL: 0xf1,
  RETURN: 0xf3,
  REVERT: 0xfd,
  SELFDESTRUCT: 0xff,
};

/** An assembly item: an opcode name, a push of hex bytes, a label, or a PUSH1 of a label's offset. */
export type AsmItem = string | { push: string } | { label: string } | { jump: string };

/** Assembles `items` to hex without 0x (labels resolved in a second pass; every label is below 256). */
export function asm(items: readonly AsmItem[]): string {
  const labels = new Map<string, number>();
  const emit = (resolve: boolean): number[] => {
    const out: number[] = [];
    for (const item of items) {
      if (typeof item === "string") {
        const op = OPCODES[item];
        if (op === undefined) throw new Error(`unknown opcode ${item}`);
        out.push(op);
      } else if ("push" in item) {
        const bytes = Buffer.from(item.push.padStart(item.push.length + (item.push.length % 2), "0"), "hex");
        out.push(0x5f + bytes.length, ...bytes);
      } else if ("label" in item) {
        labels.set(item.label, out.length);
        out.push(OPCODES.JUMPDEST as number);
      } else {
        const offset = resolve ? (labels.get(item.jump) ?? -1) : 0;
        if (offset < 0 || offset > 0xff) throw new Error(`label ${item.jump} is missing or past 255`);
        out.push(0x60, offset);
      }
    }
    return out;
  };
  emit(false);
  return Buffer.from(emit(true)).toString("hex");
}

/** A push of `hex` (or of a number's bytes). */
export const push = (hex: string | number): AsmItem => ({ push: typeof hex === "number" ? hex.toString(16) : hex });

/** SSTORE(slot, <value already on the stack>). */
export const storeTop = (slot: number): AsmItem[] => [push(slot), "SSTORE"];

/** CALL(gas, to, value, args 0..argsSize, no return data), result popped. */
export const callTo = (to: string, value: number, argsSize: number): AsmItem[] => [
  push(0),
  push(0),
  push(argsSize),
  push(0),
  push(value),
  push(to.slice(2)),
  "GAS",
  "CALL",
  "POP",
];
