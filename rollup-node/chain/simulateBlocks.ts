import { Block, type BlockHeader, createBlockHeader } from "@ethereumjs/block";
import { type Common, ConsensusType, Hardfork } from "@ethereumjs/common";
import { type CustomPrecompile, type EVMMockBlockchainInterface, getActivePrecompiles } from "@ethereumjs/evm";
import { MerklePatriciaTrie } from "@ethereumjs/mpt";
import { type TypedTransaction, type TypedTxData, createTx, isBlob4844Tx } from "@ethereumjs/tx";
import {
  Account,
  Address,
  KECCAK256_RLP,
  type PrefixedHexString,
  ValueEncoding,
  bigIntToBytes,
  bytesToHex,
  createAddressFromString,
  createZeroAddress,
  hexToBytes,
  setLengthLeft,
} from "@ethereumjs/util";
import { Bloom, type RunTxResult, type VM, createVM, runTx } from "@ethereumjs/vm";
import { keccak_256 } from "@noble/hashes/sha3.js";

import {
  BEACON_ROOTS,
  EMPTY_REQUESTS_HASH,
  HISTORY_STORAGE,
  SafeMerkleStateManager,
  receiptsRootOf,
  transactionsRootOf,
  evmOptions,
} from "../../precompiles";
import type { BlockStore } from "./blockStore";
import type { TrieDatabase } from "./chain";
import { SimulationError } from "./errors";
import { OverlayDB } from "./overlayDb";
import { decodeErrorString, decodePanic } from "./revert";
import { bypassSenderCodeCheck } from "./senderCodeCheck";
import { OpcodeTap } from "./opcodeTap";
import { type IndexedLog, TransferTracer } from "./transferTracer";
import type { BeforeExecutionHook, CallRequest, ChainReceipt } from "./types";

/**
 * eth_simulateV1 (execution-apis): a sequence of blocks built on a base block, each with state
 * overrides, header overrides and calls, executed on a throw-away copy of the state.
 *
 * Follows geth's simulator: blocks come 12 s apart unless overridden; unset header fields are
 * zero (prevRandao, parent beacon root), the fee recipient is the parent's, and the base fee
 * is 0 without validation;
 * calls get the sender's nonce (a uint64 that wraps, as geth's), and the gas left of a 50M
 * budget shared by the whole request. Logs are numbered across the block counting those of
 * reverted frames, and with `traceTransfers` ether movements appear among them (TransferTracer).
 * Without validation a contract may send calls, as in geth (senderCodeCheck.ts). Moved
 * precompiles keep geth's warm set (warmChainPrecompiles). Blob calls run at the block's blob
 * base fee or its override, which leaves the header's excess blob gas as it is.
 * Not supported: set-code calls (EIP-7702 authorization lists, refused with -32602).
 */

/** geth's default RPC gas cap: the gas all calls of one request may use together. */
export const SIMULATION_GAS_BUDGET = 50_000_000n;
/** At most this many blocks per request (geth's limit). */
export const MAX_SIMULATED_BLOCKS = 256n;
/** The highest nonce (2^64-1): geth keeps nonces in a uint64, so incrementing it wraps to 0. */
const MAX_NONCE = 2n ** 64n - 1n;
/** Seconds between simulated blocks without a time override. */
const BLOCK_TIME = 12n;

/** geth's eth_simulateV1 error codes. */
export const SimulationErrorCode = {
  NonceTooLow: -38010,
  NonceTooHigh: -38011,
  BaseFeeTooLow: -38012,
  IntrinsicGas: -38013,
  InsufficientFunds: -38014,
  BlockGasLimit: -38015,
  BlockNumberOrder: -38020,
  BlockTimestampOrder: -38021,
  TooManyBlocks: -38026,
  VmError: -32015,
  Reverted: 3,
  Internal: -32603,
  Server: -32000,
} as const;

export interface StateOverride {
  readonly balance?: bigint;
  readonly nonce?: bigint;
  readonly code?: Uint8Array;
  /** Replaces the whole storage. */
  readonly state?: ReadonlyMap<PrefixedHexString, Uint8Array>;
  /** Changes these slots only. */
  readonly stateDiff?: ReadonlyMap<PrefixedHexString, Uint8Array>;
  /** Moves the precompile at this address to another one (the old address loses it). */
  readonly movePrecompileToAddress?: Uint8Array;
}

export interface BlockOverrides {
  readonly number?: bigint;
  readonly time?: bigint;
  readonly gasLimit?: bigint;
  readonly feeRecipient?: Uint8Array;
  readonly prevRandao?: Uint8Array;
  readonly baseFeePerGas?: bigint;
  /** The blob base fee the block's calls see (BLOBBASEFEE, blob gas cost); the header keeps its excess blob gas. */
  readonly blobBaseFee?: bigint;
}

/** A call of a simulated block: an eth_call request, possibly carrying blobs (EIP-4844). */
export interface SimulatedCallRequest extends CallRequest {
  readonly blobVersionedHashes?: readonly Uint8Array[];
  readonly maxFeePerBlobGas?: bigint;
}

export interface SimulatedBlockSpec {
  readonly blockOverrides?: BlockOverrides;
  /** Address (0x-hex, lower case) → override. */
  readonly stateOverrides?: ReadonlyMap<PrefixedHexString, StateOverride>;
  readonly calls: readonly SimulatedCallRequest[];
}

export interface SimulationSpec {
  readonly blocks: readonly SimulatedBlockSpec[];
  /** Check nonces, balances and fees as for a real block (and keep the real base fee). */
  readonly validation: boolean;
  /** Report ether transfers as logs of 0xeeee…eeee (ERC-7528). */
  readonly traceTransfers?: boolean;
}

export interface SimulatedCall {
  readonly returnData: Uint8Array;
  /** Numbered as geth does: among all logs the block's calls emitted, reverted ones included. */
  readonly logs: readonly IndexedLog[];
  readonly gasUsed: bigint;
  /** Gas used before the refund. */
  readonly maxUsedGas: bigint;
  readonly status: 0 | 1;
  readonly error?: { readonly message: string; readonly code: number; readonly data?: Uint8Array };
}

export interface SimulatedBlock {
  readonly block: Block;
  readonly calls: readonly SimulatedCall[];
  readonly receipts: readonly ChainReceipt[];
}

export interface SimulationEnvironment {
  readonly common: Common;
  /** Switch forks by block (a chain with a fork schedule) or keep the one fork. */
  readonly followsForkSchedule: boolean;
  readonly db: TrieDatabase;
  readonly store: BlockStore;
  readonly customPrecompiles: readonly CustomPrecompile[];
  readonly base: Block;
  readonly baseStateRoot: Uint8Array;
  readonly beforeExecution?: BeforeExecutionHook;
}

/** BLOCKHASH over the chain's blocks and the ones simulated so far. */
class SimulationBlockchain implements EVMMockBlockchainInterface {
  readonly simulated: Block[] = [];

  constructor(private readonly store: BlockStore) {}

  async getBlock(number: number | bigint | Uint8Array): Promise<Block> {
    if (!(number instanceof Uint8Array)) {
      const wanted = BigInt(number);
      const simulated = this.simulated.find((b) => b.header.number === wanted);
      if (simulated !== undefined) return simulated;
    }
    const record =
      number instanceof Uint8Array ? this.store.byHash(number) : this.store.byNumberOrUndefined(BigInt(number));
    if (record === undefined) throw new Error(`block ${String(number)} is not in this chain`);
    return record.block;
  }

  async putBlock(): Promise<void> {}

  shallowCopy(): SimulationBlockchain {
    return this;
  }
}

interface PlannedBlock {
  readonly number: bigint;
  readonly timestamp: bigint;
  readonly spec: SimulatedBlockSpec;
}

/** Fills number gaps with empty blocks and checks numbers and times increase (geth's order of checks). */
function planBlocks(base: BlockHeader, blocks: readonly SimulatedBlockSpec[]): PlannedBlock[] {
  const planned: PlannedBlock[] = [];
  let number = base.number;
  let timestamp = base.timestamp;
  for (const spec of blocks) {
    const wanted = spec.blockOverrides?.number ?? number + 1n;
    if (wanted <= number)
      throw new SimulationError(
        SimulationErrorCode.BlockNumberOrder,
        `block numbers must be in order: ${wanted} <= ${number}`,
      );
    if (wanted - base.number > MAX_SIMULATED_BLOCKS)
      throw new SimulationError(SimulationErrorCode.TooManyBlocks, "too many blocks");
    for (let gap = number + 1n; gap < wanted; gap++) {
      timestamp += BLOCK_TIME;
      planned.push({ number: gap, timestamp, spec: { calls: [] } });
    }
    const time = spec.blockOverrides?.time ?? timestamp + BLOCK_TIME;
    if (time <= timestamp)
      throw new SimulationError(
        SimulationErrorCode.BlockTimestampOrder,
        `block timestamps must be in order: ${time} <= ${timestamp}`,
      );
    planned.push({ number: wanted, timestamp: time, spec });
    number = wanted;
    timestamp = time;
  }
  return planned;
}

async function applyStateOverrides(
  vm: VM,
  overrides: ReadonlyMap<PrefixedHexString, StateOverride> | undefined,
): Promise<void> {
  const state = vm.stateManager;
  for (const [addressHex, o] of overrides ?? []) {
    const address = new Address(hexToBytes(addressHex));
    // Only what is overridden is written: an override that just moves a precompile leaves no account.
    if (o.balance !== undefined || o.nonce !== undefined) {
      const account = (await state.getAccount(address)) ?? new Account();
      if (o.balance !== undefined) account.balance = o.balance;
      if (o.nonce !== undefined) account.nonce = o.nonce;
      await state.putAccount(address, account);
    }
    if (o.code !== undefined) await state.putCode(address, o.code);
    if (o.state !== undefined) {
      await state.clearStorage(address);
      for (const [slot, value] of o.state) await state.putStorage(address, hexToBytes(slot), value);
    }
    for (const [slot, value] of o.stateDiff ?? []) await state.putStorage(address, hexToBytes(slot), value);
  }
}

/** The storage writes of the EIP-4788 and EIP-2935 system calls (the contracts' only effect). */
async function applySystemCalls(vm: VM, header: BlockHeader): Promise<void> {
  const state = vm.stateManager;
  if (vm.common.isActivatedEIP(4788)) {
    const address = new Address(hexToBytes(BEACON_ROOTS.address));
    if ((await state.getCode(address)).length > 0) {
      const window = BigInt(vm.common.param("historicalRootsLength"));
      const index = header.timestamp % window;
      await state.putStorage(address, setLengthLeft(bigIntToBytes(index), 32), bigIntToBytes(header.timestamp));
      await state.putStorage(
        address,
        setLengthLeft(bigIntToBytes(index + window), 32),
        header.parentBeaconBlockRoot ?? new Uint8Array(32),
      );
    }
  }
  if (vm.common.isActivatedEIP(2935)) {
    const address = new Address(hexToBytes(HISTORY_STORAGE.address));
    if ((await state.getCode(address)).length > 0) {
      const window = BigInt(vm.common.param("historyServeWindow"));
      await state.putStorage(
        address,
        setLengthLeft(bigIntToBytes((header.number - 1n) % window), 32),
        header.parentHash,
      );
    }
  }
}

/**
 * An unsigned transaction standing for a call: sent by `from`, hashed over its unsigned
 * encoding (v = r = s = 0), as geth's simulator does. Its common is the block's, except that
 * the EIP-7825 cap (2^24 gas) is not applied: the default gas is the 50M request budget.
 */
function callTransaction(
  common: Common,
  request: SimulatedCallRequest,
  nonce: bigint,
  gasLimit: bigint,
  chainId: bigint,
): TypedTransaction {
  const txCommon = common.isActivatedEIP(7825) ? common.copy() : common;
  if (txCommon !== common) txCommon.setHardfork(Hardfork.Prague);
  const base = {
    to: request.to,
    value: request.value ?? 0n,
    data: request.data ?? new Uint8Array(),
    gasLimit,
    nonce,
    chainId,
    accessList: request.accessList?.map((item) => [item.address, [...item.storageKeys]]) ?? [],
  };
  const legacy =
    request.gasPrice !== undefined && request.maxFeePerGas === undefined && request.maxPriorityFeePerGas === undefined;
  const dynamic = {
    ...base,
    maxFeePerGas: request.maxFeePerGas ?? 0n,
    maxPriorityFeePerGas: request.maxPriorityFeePerGas ?? 0n,
  };
  // A call naming blobs is a blob transaction (type 3), whatever its fee fields.
  const data: TypedTxData =
    request.blobVersionedHashes !== undefined
      ? ({
          ...dynamic,
          type: 3,
          maxFeePerBlobGas: request.maxFeePerBlobGas ?? 0n,
          blobVersionedHashes: [...request.blobVersionedHashes],
        } as TypedTxData)
      : legacy
        ? ({ ...base, type: request.accessList !== undefined ? 1 : 0, gasPrice: request.gasPrice } as TypedTxData)
        : ({ ...dynamic, type: 2 } as TypedTxData);
  // EthereumJS refuses to build a transaction with nonce 2^64-1; geth's simulator runs it
  // (without validation), so such a call is built with nonce 0 and given its own afterwards.
  const atLimit = nonce >= MAX_NONCE;
  const tx = createTx(atLimit ? { ...data, nonce: 0n } : data, { common: txCommon, freeze: false });
  if (atLimit) (tx as { nonce: bigint }).nonce = nonce;
  const from = request.from !== undefined ? new Address(request.from) : createZeroAddress();
  const hash = keccak_256(tx.serialize());
  // Unsigned: the simulator names the sender and the hash (EthereumJS would recover/refuse them).
  tx.getSenderAddress = () => from;
  tx.hash = () => hash;
  const signature = tx as unknown as { v?: bigint; r?: bigint; s?: bigint };
  if (tx.type !== 0) {
    signature.v = 0n;
    signature.r = 0n;
    signature.s = 0n;
  }
  return tx;
}

/** geth's simulator error for a transaction the block would refuse. */
function rejection(message: string, from: Uint8Array, gas: bigint): SimulationError {
  // EthereumJS appends "(vm hf=… block … tx …)": the reason is what comes before.
  const m = (message.split(" (vm hf")[0] as string).toLowerCase();
  const who = `address ${bytesToHex(from)}`;
  const detail = `(supplied gas ${gas})`;
  const nonces = /account has nonce of: (\d+) tx has nonce of: (\d+)/.exec(m);
  if (nonces !== null) {
    const [state, tx] = [BigInt(nonces[1] as string), BigInt(nonces[2] as string)];
    return tx < state
      ? new SimulationError(
          SimulationErrorCode.NonceTooLow,
          `err: nonce too low: ${who}, tx: ${tx} state: ${state} ${detail}`,
        )
      : new SimulationError(
          SimulationErrorCode.NonceTooHigh,
          `err: nonce too high: ${who}, tx: ${tx} state: ${state} ${detail}`,
        );
  }
  const blobFee = /maxfeeperblobgas (\d+)\) is less than block blobgasprice \((\d+)\)/.exec(m);
  if (blobFee !== null)
    return new SimulationError(
      SimulationErrorCode.Internal,
      `err: max fee per blob gas less than block blob gas fee: ${who}, blobFeeCap: ${blobFee[1]}, blobBaseFee: ${blobFee[2]} ${detail}`,
    );
  if (m.includes("base fee") || m.includes("basefee"))
    return new SimulationError(
      SimulationErrorCode.BaseFeeTooLow,
      `err: max fee per gas less than block base fee: ${who} ${detail}`,
    );
  if (m.includes("intrinsic") || m.includes("lower than the minimum gas limit")) {
    return new SimulationError(SimulationErrorCode.IntrinsicGas, `err: intrinsic gas too low ${detail}`);
  }
  if (m.includes("enough funds") || m.includes("insufficient"))
    return new SimulationError(
      SimulationErrorCode.InsufficientFunds,
      `err: insufficient funds for gas * price + value: ${who} ${detail}`,
    );
  if (m.includes("gas limit") && m.includes("block"))
    return new SimulationError(SimulationErrorCode.BlockGasLimit, `err: block gas limit reached ${detail}`);
  if (m.includes("nonce") && m.includes("max"))
    return new SimulationError(SimulationErrorCode.Internal, `err: nonce has max value: ${who} ${detail}`);
  return new SimulationError(SimulationErrorCode.Internal, `err: ${message.split(" (")[0]} ${detail}`);
}

/**
 * geth's sender nonce is a uint64: without validation, a call at nonce 2^64-1 leaves it at 0
 * (EthereumJS counts on to 2^64). A sender left empty by that is removed, as geth removes
 * touched empty accounts (EIP-161).
 */
async function wrapNonce(vm: VM, sender: Address): Promise<void> {
  const account = await vm.stateManager.getAccount(sender);
  if (account === undefined || account.nonce <= MAX_NONCE) return;
  account.nonce %= MAX_NONCE + 1n;
  if (account.isEmpty()) await vm.stateManager.deleteAccount(sender);
  else await vm.stateManager.putAccount(sender, account);
}

/** Before the merge a block's difficulty follows from its parent's (ethash's rule). */
function powDifficulty(planned: PlannedBlock, parent: BlockHeader, common: Common): bigint {
  return createBlockHeader(
    { number: planned.number, timestamp: planned.timestamp, parentHash: parent.hash() },
    { common },
  ).ethashCanonicalDifficulty(parent);
}

/** Gas before the refund: refunds are capped at a fifth of it (EIP-3529). */
function gasBeforeRefund(result: RunTxResult): bigint {
  const spent = result.totalGasSpent;
  const refund = result.gasRefund ?? 0n;
  if (refund === 0n) return spent;
  if (refund * 5n <= spent + refund) return spent + refund;
  for (let total = (spent * 5n) / 4n - 1n; total <= (spent * 5n) / 4n + 2n; total++)
    if (total - total / 5n === spent) return total;
  return spent + refund;
}

function callOutcome(result: RunTxResult, logs: readonly IndexedLog[]): SimulatedCall {
  const exec = result.execResult;
  const common = { returnData: exec.returnValue, gasUsed: result.totalGasSpent, maxUsedGas: gasBeforeRefund(result) };
  const error = exec.exceptionError?.error;
  if (error === undefined) return { ...common, logs, status: 1 };
  if (error === "revert") {
    const reason = decodeErrorString(exec.returnValue) ?? decodePanic(exec.returnValue);
    // geth puts a revert's data in the error only; returnData stays empty.
    return {
      ...common,
      returnData: new Uint8Array(),
      logs: [],
      status: 0,
      error: {
        message: reason === undefined ? "execution reverted" : `execution reverted: ${reason}`,
        code: SimulationErrorCode.Reverted,
        data: exec.returnValue,
      },
    };
  }
  return {
    ...common,
    returnData: new Uint8Array(),
    logs: [],
    status: 0,
    error: { message: error, code: SimulationErrorCode.VmError },
  };
}

/**
 * The block's `movePrecompileToAddress` overrides as EVM precompile changes (geth's rules:
 * only a precompile can move; its old address then has none; two may target one address).
 */
function movePrecompiles(
  common: Common,
  custom: readonly CustomPrecompile[],
  overrides: ReadonlyMap<PrefixedHexString, StateOverride> | undefined,
): CustomPrecompile[] {
  const moved: CustomPrecompile[] = [];
  const active = getActivePrecompiles(common, [...custom]);
  for (const [addressHex, o] of overrides ?? []) {
    if (o.movePrecompileToAddress === undefined) continue;
    const fn = active.get(addressHex.slice(2));
    if (fn === undefined)
      throw new SimulationError(SimulationErrorCode.Server, `account ${addressHex} is not a precompile`);
    moved.push(
      { address: createAddressFromString(bytesToHex(o.movePrecompileToAddress)), function: fn },
      { address: createAddressFromString(addressHex) },
    );
  }
  return moved;
}

/**
 * A transaction starts with the precompiles warm (EIP-2929). geth warms the fork's precompile
 * addresses whatever the simulation moved: a moved precompile's new address is cold and its
 * old one stays warm. EthereumJS' runTx warms the addresses of `evm.precompiles`, which after
 * a move are the new ones. Here runTx's warming sees the chain's own precompiles: the view
 * lasts from the start of each runTx (VM event `beforeTx`) until the transaction's first
 * message (EVM event `beforeMessage`), before which nothing runs a precompile; calls then
 * find the moved ones.
 */
function warmChainPrecompiles(vm: VM, custom: readonly CustomPrecompile[]): void {
  // `_precompiles` is what the EVM's own getter returns (it is rebuilt when the fork changes).
  const evm = vm.evm as unknown as { precompiles: Map<string, unknown>; _precompiles: Map<string, unknown> };
  let own: Map<string, unknown> | undefined;
  Object.defineProperty(evm, "precompiles", { configurable: true, get: () => own ?? evm._precompiles });
  vm.events.on("beforeTx", (_tx, resolve) => {
    own = getActivePrecompiles(vm.common, [...custom]);
    resolve?.();
  });
  vm.evm.events?.on("beforeMessage", (_message, resolve) => {
    own = undefined;
    resolve?.();
  });
}

/** Runs the simulation; the chain's own state is never written (trie writes go to an overlay). */
export async function simulateBlocks(env: SimulationEnvironment, spec: SimulationSpec): Promise<SimulatedBlock[]> {
  if (BigInt(spec.blocks.length) > MAX_SIMULATED_BLOCKS)
    throw new SimulationError(SimulationErrorCode.TooManyBlocks, "too many blocks");
  const plan = planBlocks(env.base.header, spec.blocks);
  const common = env.common.copy();
  const trie = new MerklePatriciaTrie({
    db: new OverlayDB(env.db),
    useKeyHashing: true,
    common,
    valueEncoding: ValueEncoding.Bytes,
  });
  const stateManager = new SafeMerkleStateManager({ common, trie });
  const senderCheck = bypassSenderCodeCheck(stateManager);
  await stateManager.setStateRoot(env.baseStateRoot);
  const blockchain = new SimulationBlockchain(env.store);
  // Each block's precompile moves apply to the chain's own precompiles (as in geth, a later
  // block can move ecrecover again); the EVM takes its precompiles at creation, so a block
  // whose moves differ from its predecessor's gets a fresh VM over the same state.
  // Logs reach the tracer through the tap's LOG/SELFDESTRUCT opcodes (see opcodeTap.ts); they
  // are built for the fork at hand, so a fork change also gets a fresh VM.
  const tap = new OpcodeTap();
  const newVm = async (moved: readonly CustomPrecompile[]): Promise<VM> => {
    const vm = await createVM({
      common,
      stateManager,
      blockchain,
      evmOpts: evmOptions({
        customPrecompiles: [...env.customPrecompiles, ...moved],
        customOpcodes: tap.opcodes(common),
      }),
    });
    if (moved.length > 0) warmChainPrecompiles(vm, env.customPrecompiles);
    return vm;
  };
  const chainId = common.chainId();
  let parent = env.base.header;
  let budget = SIMULATION_GAS_BUDGET;
  const out: SimulatedBlock[] = [];
  let vm: VM | undefined;
  let vmMoves = "";
  let tracer: TransferTracer | undefined;
  try {
    for (const planned of plan) {
      if (env.followsForkSchedule) common.setHardforkBy({ blockNumber: planned.number, timestamp: planned.timestamp });
      const moved = movePrecompiles(common, env.customPrecompiles, planned.spec.stateOverrides);
      const key = [common.hardfork(), ...moved.map((p) => p.address.toString())].join(",");
      if (vm === undefined || vmMoves !== key) {
        tracer?.detach();
        vm = await newVm(moved);
        vmMoves = key;
        // Logs are always collected by the tracer, which numbers them as geth does.
        tracer = new TransferTracer(vm, tap, spec.traceTransfers === true);
        tracer.attach();
      }
      out.push(await simulateBlock(planned, vm, tracer as TransferTracer));
    }
  } finally {
    tracer?.detach();
  }
  return out;

  async function simulateBlock(planned: PlannedBlock, vm: VM, tracer: TransferTracer): Promise<SimulatedBlock> {
    tracer.startBlock();
    const o = planned.spec.blockOverrides ?? {};
    const gasLimit = o.gasLimit ?? parent.gasLimit;
    const blockCommon = common.copy();
    const fields = {
      parentHash: parent.hash(),
      number: planned.number,
      timestamp: planned.timestamp,
      gasLimit,
      // An overridden fee recipient carries over to the following blocks, as in geth.
      coinbase: o.feeRecipient !== undefined ? new Address(o.feeRecipient) : parent.coinbase,
      mixHash: o.prevRandao ?? new Uint8Array(32),
      difficulty:
        blockCommon.consensusType() === ConsensusType.ProofOfWork ? powDifficulty(planned, parent, blockCommon) : 0n,
      baseFeePerGas: common.isActivatedEIP(1559)
        ? (o.baseFeePerGas ?? (spec.validation ? parent.calcNextBaseFee() : 0n))
        : undefined,
      withdrawalsRoot: common.isActivatedEIP(4895) ? KECCAK256_RLP : undefined,
      blobGasUsed: common.isActivatedEIP(4844) ? 0n : undefined,
      excessBlobGas: common.isActivatedEIP(4844)
        ? parent.excessBlobGas === undefined
          ? 0n
          : parent.calcNextExcessBlobGas(common)
        : undefined,
      parentBeaconBlockRoot: common.isActivatedEIP(4788) ? new Uint8Array(32) : undefined,
      requestsHash: common.isActivatedEIP(7685) ? EMPTY_REQUESTS_HASH : undefined,
    };
    const header = createBlockHeader(fields, { common: blockCommon, skipConsensusFormatValidation: true });
    // The blob base fee the calls see: geth puts an override in the EVM's block context only
    // (the header keeps its excess blob gas); EthereumJS reads it from the header, so the
    // execution context's header answers with it.
    const blobBaseFee = header.excessBlobGas === undefined ? undefined : (o.blobBaseFee ?? header.getBlobGasPrice());
    const contexts = new Map<string, Block>();
    const contextFor = (baseFee: bigint | undefined, blobGasPrice: bigint | undefined): Block => {
      const key = `${String(baseFee)}/${String(blobGasPrice)}`;
      let block = contexts.get(key);
      if (block === undefined) {
        const h = createBlockHeader(
          { ...fields, baseFeePerGas: baseFee },
          { common: blockCommon, skipConsensusFormatValidation: true, freeze: false },
        );
        if (blobGasPrice !== undefined) h.getBlobGasPrice = () => blobGasPrice;
        block = new Block(h, [], [], common.isActivatedEIP(4895) ? [] : undefined, { common: blockCommon });
        contexts.set(key, block);
      }
      return block;
    };
    let blobGasUsed = 0n;

    await vm.evm.journal.checkpoint();
    await applyStateOverrides(vm, planned.spec.stateOverrides);
    await applySystemCalls(vm, header);
    const txs: TypedTransaction[] = [];
    const results: RunTxResult[] = [];
    const traced: (readonly IndexedLog[])[] = [];
    let gasUsed = 0n;
    for (const request of planned.spec.calls) {
      const from = request.from ?? new Uint8Array(20);
      const sender = new Address(from);
      // As in geth, a call without a nonce takes the sender's current one from the state.
      const stateNonce = (await vm.stateManager.getAccount(sender))?.nonce ?? 0n;
      const nonce = request.nonce ?? stateNonce;
      const blockLeft = gasLimit - gasUsed;
      const gas = request.gas ?? (budget < blockLeft ? budget : blockLeft);
      if (gas > blockLeft)
        throw new SimulationError(SimulationErrorCode.BlockGasLimit, `block gas limit reached: ${gas} > ${blockLeft}`);
      // geth checks this after the nonce itself (a wrong nonce is reported first).
      if (spec.validation && nonce === stateNonce && stateNonce === MAX_NONCE) {
        await vm.evm.journal.revert();
        throw new SimulationError(
          SimulationErrorCode.Internal,
          `err: nonce has max value: address ${bytesToHex(from)}, nonce: ${nonce} (supplied gas ${gas})`,
        );
      }
      const tx = callTransaction(blockCommon, request, nonce, gas, chainId);
      env.beforeExecution?.("call");
      let result: RunTxResult;
      tracer.reset();
      try {
        // Without validation, a call that offers no fee runs at base fee 0 (geth's NoBaseFee): a
        // base fee override is reported in the header but does not make such calls invalid.
        const offersFee =
          (request.gasPrice ?? 0n) > 0n ||
          (request.maxFeePerGas ?? 0n) > 0n ||
          (request.maxPriorityFeePerGas ?? 0n) > 0n;
        const baseFee = spec.validation || offersFee || fields.baseFeePerGas === undefined ? fields.baseFeePerGas : 0n;
        // Likewise geth skips the blob fee check for a blob call offering no blob fee; EthereumJS
        // would refuse it, so such a call sees blob base fee 0 (geth would still charge the fee).
        const offersBlobFee = (request.maxFeePerBlobGas ?? 0n) > 0n || request.blobVersionedHashes === undefined;
        const blobGasPrice = spec.validation || offersBlobFee || blobBaseFee === undefined ? blobBaseFee : 0n;
        if (!spec.validation) senderCheck.arm(tx.getSenderAddress());
        result = await runTx(vm, {
          tx,
          block: contextFor(baseFee, blobGasPrice),
          skipNonce: !spec.validation,
          blockGasUsed: gasUsed,
          skipBlockGasLimitValidation: true,
          skipHardForkValidation: true,
        });
      } catch (error) {
        await vm.evm.journal.revert();
        throw rejection((error as Error).message, from, gas);
      } finally {
        senderCheck.disarm();
      }
      await wrapNonce(vm, sender);
      gasUsed += result.totalGasSpent;
      if (isBlob4844Tx(tx)) blobGasUsed += BigInt(tx.numBlobs()) * blockCommon.param("blobGasPerBlob");
      budget = budget > result.totalGasSpent ? budget - result.totalGasSpent : 0n;
      txs.push(tx);
      results.push(result);
      traced.push(tracer.logs);
    }
    if (blockCommon.consensusType() === ConsensusType.ProofOfWork) {
      // Before the merge the block's miner earns the block reward (no uncles here).
      const miner = (await vm.stateManager.getAccount(header.coinbase)) ?? new Account();
      miner.balance += blockCommon.param("minerReward");
      await vm.stateManager.putAccount(header.coinbase, miner);
    }
    await vm.evm.journal.commit();
    const stateRoot = await vm.stateManager.getStateRoot();

    const bloom = new Bloom(undefined, common);
    for (const result of results) bloom.or(result.bloom);
    const sealed = createBlockHeader(
      {
        ...fields,
        stateRoot,
        transactionsTrie: transactionsRootOf(txs, common),
        receiptTrie: receiptsRootOf(
          results.map((result) => result.receipt),
          txs,
          common,
        ),
        logsBloom: bloom.bitvector,
        gasUsed,
        blobGasUsed: fields.blobGasUsed === undefined ? undefined : blobGasUsed,
      },
      { common: blockCommon, skipConsensusFormatValidation: true },
    );
    const block = new Block(sealed, txs, [], common.isActivatedEIP(4895) ? [] : undefined, { common: blockCommon });
    blockchain.simulated.push(block);
    const receipts = results.map((result, index): ChainReceipt => {
      const tx = txs[index] as TypedTransaction;
      const logs = (result.receipt.logs ?? []).map(([address, topics, data]) => ({ address, topics, data }));
      return {
        transactionHash: tx.hash(),
        transactionIndex: index,
        blockNumber: sealed.number,
        blockHash: block.hash(),
        from: tx.getSenderAddress().bytes,
        to: tx.to?.bytes,
        type: tx.type,
        status: result.execResult.exceptionError === undefined ? 1 : 0,
        cumulativeGasUsed: result.receipt.cumulativeBlockGasUsed,
        gasUsed: result.totalGasSpent,
        effectiveGasPrice: 0n,
        contractAddress: result.createdAddress?.bytes,
        logs,
        logsBloom: result.bloom.bitvector,
        revertData: result.execResult.exceptionError === undefined ? new Uint8Array() : result.execResult.returnValue,
        error: result.execResult.exceptionError?.error,
      };
    });
    parent = sealed;
    return { block, receipts, calls: results.map((result, i) => callOutcome(result, traced[i] ?? [])) };
  }
}
