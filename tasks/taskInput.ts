/**
 * The rollup:* tasks check what they are given before anything is sent: a typo must cost an
 * error message, never a transaction (or ETH sent to the wrong place).
 */
import { FunctionFragment, Interface, getAddress, isAddress, isHexString, parseEther } from "ethers";

import { plural } from "../rollup-node/logger";
import { MAX_TCP_PORT } from "../rollup-node/rpc/defaults";
import { RollupTaskError } from "./taskErrors";

/** The dev accounts the tasks act with: #0–#9 of the test mnemonic, funded on both layers. */
export const DEV_ACCOUNT_COUNT = 10;

export class InvalidTaskInputError extends RollupTaskError {
  constructor(message: string, hint: string) {
    super("INVALID_INPUT", message, hint);
  }
}

/** The flag of a task parameter: `l2ChainId` → `--l2-chain-id`, as Hardhat spells it on the command line. */
export function flagOf(name: string): string {
  return `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/**
 * An integer option (`--last 20`, `--account 1`). The tasks declare their integer options as
 * strings and parse them here: Hardhat's own integer type refuses `-3` or `x` with HH301 and a
 * stack trace before the task runs. Each option's range (positive, a dev account, …) is checked
 * where it is used. A number passes as it is (a script's `hre.run` may give one).
 */
export function integerOption(option: string, value: string | number, example: number): number {
  const text = String(value).trim();
  const parsed = Number(text);
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(parsed))
    throw new InvalidTaskInputError(
      `${option} "${value}" is not an integer`,
      `pass a whole number in decimal digits, e.g. ${option} ${example}`,
    );
  return parsed;
}

/**
 * A task's arguments with its integer options parsed (`examples`: each option's name and the
 * value its hint shows); an option left out stays undefined.
 */
export function integerArgs<A extends object>(args: A, examples: Readonly<Record<string, number>>): A {
  const parsed: Record<string, unknown> = Object.fromEntries(Object.entries(args));
  for (const [name, example] of Object.entries(examples)) {
    const value = parsed[name];
    if (value === undefined || value === null) continue;
    parsed[name] = integerOption(flagOf(name), value as string | number, example);
  }
  return parsed as unknown as A;
}

/** A count or a duration that must be at least 1 (`--last`, `--block-time`, `--proofs`…), in `unit`. */
export function positiveOption(option: string, value: number, unit: string, example: number): number {
  if (!Number.isInteger(value) || value <= 0)
    throw new InvalidTaskInputError(
      `${option} ${value} is not a positive number of ${unit}`,
      `pass e.g. ${option} ${example}`,
    );
  return value;
}

/** `--account`: an integer from 0 to 9. */
export function accountIndex(value: number): number {
  if (!Number.isInteger(value) || value < 0 || value >= DEV_ACCOUNT_COUNT) {
    throw new InvalidTaskInputError(
      `--account ${value} is not a dev account`,
      `pass an index from 0 to ${DEV_ACCOUNT_COUNT - 1} (the devnet's funded accounts)`,
    );
  }
  return value;
}

/** A port to listen on (`--port`, `--l2-port`), checked before anything starts: 0 picks a free one. */
export function portOption(option: string, value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > MAX_TCP_PORT)
    throw new InvalidTaskInputError(
      `${option} ${value} is not a TCP port`,
      `pass a port from 1 to ${MAX_TCP_PORT}, or ${option} 0 to pick a free one`,
    );
  return value;
}

/** A chain id flag (`--chain-id`, `--l2-chain-id`): EIP-155 signs for a positive one. */
export function chainIdOption(option: string, value: number | bigint): bigint {
  if (BigInt(value) <= 0n)
    throw new InvalidTaskInputError(
      `${option} ${value} is not a chain id`,
      `pass a positive chain id (EIP-155 signs transactions for it), e.g. ${option} 42069`,
    );
  return BigInt(value);
}

/** An ETH amount in ether units (`--amount 0.5`), in wei; `allowZero` for an optional value sent along. */
export function etherAmount(option: string, value: string, allowZero = false): bigint {
  let wei: bigint;
  try {
    wei = parseEther(value.trim());
  } catch {
    throw new InvalidTaskInputError(
      `${option} "${value}" is not an amount of ETH`,
      `pass a decimal number of ETH, e.g. ${option} 0.5 (at most 18 decimals)`,
    );
  }
  if (wei < 0n)
    throw new InvalidTaskInputError(
      `${option} ${value} is negative`,
      `pass a positive amount of ETH, e.g. ${option} 0.5`,
    );
  if (wei === 0n && !allowZero)
    throw new InvalidTaskInputError(
      `${option} is zero: there is nothing to move`,
      `pass a positive amount of ETH, e.g. ${option} 0.5`,
    );
  return wei;
}

/** An address option (`--to`), checksummed; mixed case must carry a valid checksum. */
export function addressOption(option: string, value: string): string {
  if (!isAddress(value))
    throw new InvalidTaskInputError(
      `${option} "${value}" is not an address`,
      "pass 0x followed by 40 hex digits (a mixed-case address must have a valid checksum)",
    );
  return getAddress(value);
}

/** Calldata (`--data`): 0x and whole bytes. */
export function calldataOption(value: string): string {
  if (!isHexString(value) || value.length % 2 !== 0)
    throw new InvalidTaskInputError(
      `--data "${value}" is not calldata`,
      'pass 0x followed by an even number of hex digits, or --sig "f(uint256)" --args 41 to have it encoded',
    );
  return value.toLowerCase();
}

/** A message or transaction hash (the positional argument of rollup:message, rollup:finalize, …). */
export function hashArgument(value: string): string {
  if (!isHexString(value, 32))
    throw new InvalidTaskInputError(
      `"${value}" is not a hash`,
      "pass a message hash or the hash of the transaction that sent the message (0x + 64 hex digits; the deposit/withdraw tasks print both)",
    );
  return value.toLowerCase();
}

/** A gas limit for the L2 call of a message. */
export function gasLimitOption(value: number): bigint {
  if (!Number.isInteger(value) || value <= 0)
    throw new InvalidTaskInputError(
      `--gas-limit ${value} is not a positive integer`,
      "pass the gas the L2 call may use, e.g. --gas-limit 200000",
    );
  return BigInt(value);
}

/** `--args 41,0xabc…` or a JSON array (for strings with commas, arrays, tuples). */
function splitArgs(value: string | undefined): unknown[] {
  if (value === undefined || value.trim() === "") return [];
  const trimmed = value.trim();
  if (trimmed.startsWith("[")) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (Array.isArray(parsed)) return parsed;
    } catch {
      // Not JSON: reported below as the encoder sees it.
    }
    throw new InvalidTaskInputError(
      `--args ${value} is not a JSON array`,
      "pass comma-separated values (--args 41,0xabc…) or a JSON array (--args '[41, \"a, b\"]')",
    );
  }
  return trimmed.split(",").map((a) => a.trim());
}

/**
 * The calldata of `--sig "f(uint256)" --args 41` (or `--data`, not both): the function's
 * selector and its ABI-encoded arguments.
 */
export function encodeCall(options: { data?: string; sig?: string; args?: string }): string {
  if (options.sig === undefined) {
    if (options.args !== undefined)
      throw new InvalidTaskInputError(
        "--args needs --sig",
        'name the function the arguments are for: --sig "f(uint256)" --args 41',
      );
    return calldataOption(options.data ?? "0x");
  }
  if (options.data !== undefined)
    throw new InvalidTaskInputError(
      "--data and --sig both given",
      "pass raw calldata with --data, or a signature and its arguments with --sig/--args, not both",
    );
  let abi: Interface;
  const signature = options.sig.trim().replace(/^function\s+/, "");
  try {
    // FunctionFragment.from throws on a bad signature (an Interface would skip it with a warning).
    abi = new Interface([FunctionFragment.from(`function ${signature}`)]);
  } catch {
    throw new InvalidTaskInputError(
      `--sig "${options.sig}" is not a function signature`,
      'write it as in Solidity, e.g. --sig "setValue(uint256)" or --sig "transfer(address,uint256)"',
    );
  }
  const fragment = abi.fragments[0] as FunctionFragment;
  const args = splitArgs(options.args);
  if (args.length !== fragment.inputs.length) {
    throw new InvalidTaskInputError(
      `--sig ${signature} takes ${plural(fragment.inputs.length, "argument")}, --args gives ${args.length}`,
      `pass ${fragment.inputs.length === 0 ? "no --args" : `--args with ${fragment.inputs.map((i) => i.type).join(", ")}`}`,
    );
  }
  try {
    return abi.encodeFunctionData(fragment.name, args);
  } catch (error) {
    const reason =
      (error as { shortMessage?: string }).shortMessage ??
      (error instanceof Error ? error.message.split("\n")[0] : String(error));
    throw new InvalidTaskInputError(
      `--args ${options.args ?? ""} do not fit ${signature}: ${reason}`,
      `pass values of the types ${fragment.inputs.map((i) => i.type).join(", ")}`,
    );
  }
}
