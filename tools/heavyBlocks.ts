import { SigningKey, keccak256, toUtf8Bytes } from "ethers";

import { TestSigner, word } from "./l2Fixtures";
import { type BuiltBlock, L2TestChain, type TestAccount } from "./l2TestChain";

/**
 * L2 blocks that are costly to verify per gas: the workloads behind EXECUTE's price
 * (docs/design/execute-budget.md, `npm run bench:execute`) and the tests of its limits.
 */

function hex(value: number, bytes: number): string {
  return value.toString(16).padStart(bytes * 2, "0");
}

/**
 * Runtime code that copies `inputLength` bytes of calldata to memory and STATICCALLs the
 * precompile at `address` with them in an endless loop: a transaction runs until its gas is gone,
 * so its gas limit sets how many calls it makes.
 */
export function precompileLoopCode(address: number, inputLength: number): string {
  const length = hex(inputLength, 2);
  // CALLDATACOPY(0, 0, len); loop (pc 8): STATICCALL(gas, address, 0, len, len, 256); POP; JUMP 8
  return `0x61${length}60006000375b61010061${length}61${length}600061${hex(address, 2)}5afa50600856`;
}

/** Where a block's loop contract lives. */
export const LOOP_ADDRESS = "0x0000000000000000000000000000000000ec0001";

/** A valid ecrecover input (hash, v, r, s): recovery runs the full curve arithmetic. */
export function ecrecoverInput(): string {
  const hash = keccak256(toUtf8Bytes("EXECUTE worst case"));
  const signature = new SigningKey(`0x${word(0xec)}`).sign(hash);
  return `${hash}${word(signature.v)}${signature.r.slice(2)}${signature.s.slice(2)}`;
}

const BN254_P = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;
/** The BN254 G2 generator (EIP-197 order: x imaginary, x real, y imaginary, y real). */
const BN254_G2 = [
  11559732032986387107991004021392285783925812861821192530917403151452391805634n,
  10857046999023057135944570762232829481370756359578518086990519993285655852781n,
  4082367875863433681332203403145435568316851327593401208105741076214120093531n,
  8495653923123431417604973247489272438418190587263600148770280649306958101930n,
];

/** A two-pair BN254 pairing check that holds, e(G1, G2) · e(−G1, G2) = 1 (113k gas per call). */
export function bn254PairingInput(): string {
  const g2 = BN254_G2.map(word).join("");
  return `0x${word(1)}${word(2)}${g2}${word(1)}${word(BN254_P - 2n)}${g2}`;
}

/** A BLAKE2 F call of `rounds` rounds (EIP-152: `rounds` gas per call). */
export function blake2fInput(rounds: number): string {
  return `0x${hex(rounds, 4)}${"11".repeat(64)}${"22".repeat(128)}${"00".repeat(16)}01`;
}

interface LoopBlockOptions {
  readonly chainId: bigint;
  /** Accounts besides the sender and the loop contract (a deeper trie, cold targets). */
  readonly accounts?: readonly TestAccount[];
  readonly code: string;
  readonly data?: string;
  readonly txCount: number;
  /** Gas of each transaction (at most the EIP-7825 cap of 2^24). */
  readonly gasPerTx: bigint;
}

/** A built block with the chain it was built on (for running it with the full state). */
export interface LoopBlock {
  readonly chain: L2TestChain;
  readonly built: BuiltBlock;
}

async function loopBlock(options: LoopBlockOptions): Promise<LoopBlock> {
  const probe = await L2TestChain.create(options.chainId, []);
  const sender = TestSigner.fromSeed(0xec, probe.common);
  const chain = await L2TestChain.create(options.chainId, [
    { address: sender.address.toString(), balance: 10n ** 22n },
    { address: LOOP_ADDRESS, code: options.code },
    ...(options.accounts ?? []),
  ]);
  const signer = TestSigner.fromSeed(0xec, chain.common);
  const built = await chain.buildBlock(
    Array.from({ length: options.txCount }, () =>
      signer.tx({ to: LOOP_ADDRESS, data: options.data, gasLimit: options.gasPerTx }),
    ),
  );
  return { chain, built };
}

/** A valid L2 block of `txCount` transactions that loop over precompile `address` with `input`. */
export function precompileLoopBlock(
  chainId: bigint,
  address: number,
  input: string,
  txCount: number,
  gasPerTx: bigint,
  accounts?: readonly TestAccount[],
): Promise<LoopBlock> {
  return loopBlock({
    chainId,
    accounts,
    code: precompileLoopCode(address, (input.length - 2) / 2),
    data: input,
    txCount,
    gasPerTx,
  });
}

/** A valid L2 block whose transactions loop over ecrecover: the costliest L2 gas to verify we found. */
export async function ecrecoverBlock(chainId: bigint, txCount: number, gasPerTx: bigint): Promise<BuiltBlock> {
  return (await precompileLoopBlock(chainId, 1, ecrecoverInput(), txCount, gasPerTx)).built;
}

/** Address of the `index`-th account of a filler range starting at `base`. */
export function fillerAddress(base: bigint, index: number): string {
  return `0x${(base + BigInt(index)).toString(16).padStart(40, "0")}`;
}

/**
 * A valid L2 block whose transactions run `opcode` (BALANCE 0x31, EXTCODESIZE 0x3b, …) on
 * successive addresses from `base`: each is a cold account (2,600 gas) the witness must prove.
 */
export function coldAccountBlock(
  chainId: bigint,
  opcode: number,
  base: bigint,
  accounts: readonly TestAccount[],
  txCount: number,
  gasPerTx: bigint,
): Promise<LoopBlock> {
  // PUSH20 base; loop (pc 21): DUP1 <opcode> POP PUSH1 1 ADD PUSH1 21 JUMP
  const code = `0x73${base.toString(16).padStart(40, "0")}5b80${hex(opcode, 1)}50600101601556`;
  return loopBlock({ chainId, accounts, code, txCount, gasPerTx });
}

/** Runtime code that is one INVALID opcode: a call to it burns all its gas in one step. */
export const BURN_ALL_GAS_CODE = "0xfe";

/**
 * A valid L2 block of `gasPerTx.length` transactions that each call INVALID and so use their whole
 * gas limit at almost no CPU cost: a block claiming much L2 gas that is quick to verify.
 */
export async function gasBurnBlock(chainId: bigint, gasPerTx: readonly bigint[]): Promise<BuiltBlock> {
  const probe = await L2TestChain.create(chainId, []);
  const sender = TestSigner.fromSeed(0xb0, probe.common);
  const chain = await L2TestChain.create(chainId, [
    { address: sender.address.toString(), balance: 10n ** 22n },
    { address: LOOP_ADDRESS, code: BURN_ALL_GAS_CODE },
  ]);
  const signer = TestSigner.fromSeed(0xb0, chain.common);
  return chain.buildBlock(gasPerTx.map((gasLimit) => signer.tx({ to: LOOP_ADDRESS, gasLimit })));
}
