import {
  type Block,
  type BlockHeader,
  createBlockFromBytesArray,
  createBlockHeaderFromBytesArray,
} from "@ethereumjs/block";
import { type Common, Hardfork } from "@ethereumjs/common";
import { MerklePatriciaTrie } from "@ethereumjs/mpt";
import { type RunBlockResult, createVM } from "@ethereumjs/vm";
import { ValueEncoding, bytesToBigInt, equalsBytes } from "@ethereumjs/util";

import type { ExecuteResult } from "./codec";
import { evmOptions } from "./bls";
import { prepareCrypto } from "./crypto";
import { ExecuteError, ExecuteErrorCode, MissingWitnessDataError } from "./errors";
import {
  type ExecutionPacing,
  blockGasOf,
  describeTransactionGas,
  paceExecution,
  stopPastClaimedGas,
} from "./executionGuard";
import { DEFAULT_VERIFIER_WRITES, type WriteRules, genesisForkCommon, writeRuleAt } from "./forkSchedule";
import {
  HEADER_GAS_LIMIT_INDEX,
  checkTransactionCount,
  maxVerifiableL2GasLimit,
  minBlockGasPerTransaction,
} from "./gas";
import {
  EMPTY_REQUESTS_HASH,
  checkBlockContent,
  checkGasFields,
  checkHeaderAgainstParent,
  checkHeaderEncoding,
  checkHeaderFields,
  checkTransactions,
} from "./headerRules";
import { type TransactionData, blockWithEmptyOmmersAndWithdrawals } from "./blockBody";
import { DecodedNodeTrie } from "./decodedNodeTrie";
import { transactionsRootOf } from "./blockRoots";
import { BlockBufferedStateManager, runBlockAsVerifier, verifierStateManager } from "./verifierStateManager";

export { executionView } from "./verifierStateManager";
import { SHARED_KZG } from "./kzg";
import { LazyHashTrie } from "./lazyHashTrie";
import { SystemCallError, checkUncheckedSystemContracts, watchSystemCalls } from "./systemCalls";
import { checkRlpDepth, decodeBoundedRlp } from "./rlpDepth";
import { WitnessDB, decodeWitness, toHex } from "./witness";
import { WitnessBlockchain } from "./witnessBlockchain";

const BLOB_TX_TYPE = 0x03;
/** The first byte of any RLP item that is not a single byte below 0x80: no transaction type is this high (EIP-2718). */
const MIN_RLP_PREFIX = 0x80;

/** The fork an L2 follows when the caller names none: the L1 devnet's default. */
export const DEFAULT_HARDFORK = Hardfork.Osaka;

export interface VerifyBlockParams {
  /** The L2 chain id: transactions' EIP-155 chain id and the CHAINID opcode. */
  readonly chainId: bigint;
  /** The L1's fork rules (its chain id is replaced by `chainId`); Osaka when absent. */
  readonly common?: Common;
  /** RLP of the parent L2 header: its state root is the pre-state. */
  readonly parentHeader: Uint8Array;
  /** RLP of the full L2 block. */
  readonly block: Uint8Array;
  /** RLP `[state, codes, headers]`. */
  readonly witness: Uint8Array;
  /** When execution yields to the event loop and, for simulated calls, when it must stop. */
  readonly pacing?: ExecutionPacing;
  /**
   * The largest L2 gas limit a block may have: what EXECUTE may verify in one L1 block
   * (`maxVerifiableL2GasLimit()` of the default gas schedule when absent).
   */
  readonly maxGasLimit?: bigint;
  /**
   * Decode each witness and written trie node once per verification (`DecodedNodeTrie`); true
   * when absent. False runs EthereumJS's own trie, which decodes a node on every read: the
   * verdict is the same either way, so this exists only for a same-run benchmark baseline.
   */
  readonly memoizeTrieNodes?: boolean;
  /**
   * With `writes: "write-through"` only: answer a repeated account or storage read from memory
   * (`CachedReadStateManager`); true when absent. False reads every account and slot from the trie:
   * the verdict is the same either way, so this exists only for a same-run benchmark baseline.
   */
  readonly cacheStateReads?: boolean;
  /**
   * The L2 chain's write rules (precompiles/forkSchedule.ts), `DEFAULT_VERIFIER_WRITES` ("per-block"
   * from genesis) when absent: the block is re-executed under `writeRuleAt(writes, block.header)`,
   * the rule its witness was recorded under (`recordVerifierRun` resolves it the same way). A rule
   * needs witness nodes another rule may not read (a deletion's branch collapse), so a verdict must
   * use the chain's own schedule; a constant other rule is a benchmark or differential baseline.
   */
  readonly writes?: WriteRules;
  /**
   * Hash the nodes a block writes only when a root is needed (`LazyHashTrie`, with `memoizeTrieNodes`);
   * true when absent. False re-hashes every written path at every write (`DecodedNodeTrie`, the
   * write-through baseline): the verdict, the witness nodes read and the errors are the same either way
   * (test/precompiles/decodedNodeTrieDifferential.test.ts, lazyHashTrieScenarios.test.ts, and the
   * adversarial pass of docs/design/attack-review-s23.md finding 1), so this exists only for a
   * same-run benchmark baseline and the differential tests.
   */
  readonly lazyTrieHashing?: boolean;
  /**
   * Decode the block's transactions with one prepared `Common` and its header decoded once
   * (`blockWithEmptyOmmersAndWithdrawals`, precompiles/blockBody.ts); true when absent. False decodes
   * with EthereumJS's `createBlockFromBytesArray` (a `Common` copy and parameter merge per
   * transaction): the blocks, errors and verdicts are the same either way
   * (test/precompiles/blockBody.test.ts), so this exists only for a same-run benchmark baseline and
   * that differential test.
   */
  readonly sharedTransactionCommon?: boolean;
  /**
   * Run the block with EthereumJS's `runBlock` instead of `runVerifierBlock` (precompiles/blockRunner.ts,
   * its steps with the receipts and transactions roots built in one pass); false when absent. The result,
   * errors and witness reads are the same either way (test/precompiles/blockRunnerDifferential.test.ts),
   * so this exists only for a same-run benchmark baseline and that differential test.
   */
  readonly ethereumJsRunBlock?: boolean;
  /**
   * Keep the per-block caches' accounts decoded (`DecodedAccountCache`, precompiles/decodedAccountCache.ts)
   * instead of as RLP encoded on every write and decoded on every read; true when absent. The accounts,
   * roots, witness reads, errors and verdicts are the same either way
   * (test/precompiles/decodedAccountCache.test.ts), so false exists only for a same-run benchmark
   * baseline and that differential test.
   */
  readonly decodedAccounts?: boolean;
}

/**
 * The L2's Common: the L1's fork and EIPs, the L2's chain id, and every fork active from the
 * L2's genesis (an L2 has no history: mainnet's block-number schedule must not apply). Its KZG is
 * always the project's own (`SHARED_KZG`), never the L1's: KZG libraries may disagree on an edge
 * input (one accepts a proof another refuses), and the point-evaluation precompile's answer is part
 * of the verdict, which must be a function of the input alone, the same on every L1 and for every
 * challenger (attack-review-s27.md, fifth pass, O1).
 */
export function l2Common(chainId: bigint, l1Common?: Common): Common {
  if (chainId > BigInt(Number.MAX_SAFE_INTEGER) || chainId === 0n) {
    throw new ExecuteError(ExecuteErrorCode.MalformedInput, `chain id ${chainId} is outside 1..2^53-1`);
  }
  return genesisForkCommon(chainId, {
    hardfork: l1Common?.hardfork() ?? DEFAULT_HARDFORK,
    name: `l2-${chainId}`,
    eips: l1Common?.eips(),
    customCrypto: { ...l1Common?.customCrypto, kzg: SHARED_KZG },
  });
}

function decodeList(bytes: Uint8Array, what: string): Uint8Array[] | Uint8Array[][] {
  let decoded: unknown;
  try {
    decoded = decodeBoundedRlp(bytes);
  } catch (error) {
    // The error stays the cause: a RangeError (the decoder is recursive: a deep nesting overflows the
    // stack) is not the input's verdict, and EXECUTE's memo must see it to not keep it.
    throw new ExecuteError(ExecuteErrorCode.MalformedInput, `${what} is not valid RLP: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (!Array.isArray(decoded)) throw new ExecuteError(ExecuteErrorCode.MalformedInput, `${what} must be an RLP list`);
  return decoded as Uint8Array[];
}

/**
 * Decodes a header; the fork's required fields must all be present. A header that does not
 * decode is reported with `code`: MalformedInput for a parent header (input the caller chose),
 * InvalidHeader for the block's own header (see `decodeBlock`).
 */
export function decodeHeader(
  bytes: Uint8Array,
  common: Common,
  what: string,
  code: ExecuteErrorCode = ExecuteErrorCode.MalformedInput,
): BlockHeader {
  const values = decodeList(bytes, what);
  return headerFromValues(values as Uint8Array[], common, what, code);
}

function headerFromValues(values: Uint8Array[], common: Common, what: string, code: ExecuteErrorCode): BlockHeader {
  try {
    return createBlockHeaderFromBytesArray(values, { common, skipConsensusFormatValidation: true });
  } catch (error) {
    throw new ExecuteError(code, `${what} is not a valid header: ${(error as Error).message}`, { cause: error });
  }
}

/** The span of the RLP item at `offset`: where its payload starts and where it ends. */
function rlpSpan(bytes: Uint8Array, offset: number): { isList: boolean; payload: number; end: number } | undefined {
  const prefix = bytes[offset];
  if (prefix === undefined) return undefined;
  if (prefix < 0x80) return { isList: false, payload: offset, end: offset + 1 };
  const isList = prefix >= 0xc0;
  const short = prefix - (isList ? 0xc0 : 0x80);
  if (short <= 55) return { isList, payload: offset + 1, end: offset + 1 + short };
  const lengthBytes = short - 55;
  let length = 0;
  for (let i = 1; i <= lengthBytes; i++) {
    const b = bytes[offset + i];
    if (b === undefined) return undefined;
    length = length * 256 + b;
  }
  return { isList, payload: offset + 1 + lengthBytes, end: offset + 1 + lengthBytes + length };
}

/**
 * True when `bytes` could be a posted block: one RLP list, without a remainder, whose first item
 * has a list prefix and fits inside it. Judged on the length prefixes alone, not on the items'
 * contents: `BlockHeaders.decode` (what `OptimisticRollup.propose` and `NativeRollup.advance`
 * read a posted block with) checks no more than the prefixes of the block's items and of the
 * header's fields, so it can accept a block whose nested contents are not valid RLP (say a list
 * with a broken inner item in a header field it does not read). Every byte string that reader
 * accepts passes this test (it demands these prefixes and more), so none of them can get
 * MalformedInput; bytes that fail it the contracts refuse, and they name no block.
 */
function couldBePostedBlock(bytes: Uint8Array): boolean {
  const top = rlpSpan(bytes, 0);
  if (top === undefined || !top.isList || top.end !== bytes.length || top.payload >= top.end) return false;
  const header = rlpSpan(bytes, top.payload);
  return header !== undefined && header.isList && header.end <= top.end;
}

/** True when the block's first item (its header) is valid RLP on its own: then what failed is the body. */
function headerIsValidRlp(bytes: Uint8Array): boolean {
  const top = rlpSpan(bytes, 0);
  if (top === undefined) return false;
  const header = rlpSpan(bytes, top.payload);
  if (header === undefined) return false;
  try {
    return Array.isArray(decodeBoundedRlp(bytes.subarray(top.payload, header.end)));
  } catch {
    return false;
  }
}

/**
 * Decodes the block. Only bytes that are not an RLP list starting with a header list (by their
 * length prefixes, `couldBePostedBlock`) are MalformedInput (< 64): such bytes name no block
 * (the rollup contracts cannot even accept them as a proposal). Once the prefixes make a header
 * list, the posted bytes may be a block, and whatever is wrong with them makes that block
 * invalid (>= 64), so that a challenge can remove it.
 */
function decodeBlock(bytes: Uint8Array, common: Common, maxGasLimit: bigint, sharedTransactionCommon: boolean): Block {
  let values: unknown[];
  try {
    values = decodeList(bytes, "block") as unknown[];
  } catch (error) {
    // Bytes the contracts may accept as a block (they check only length prefixes) are an invalid
    // block when they do not decode, not uncheckable input: a header that is not valid RLP is an
    // InvalidHeader, a body that is not is InvalidTransactions.
    if (error instanceof ExecuteError && couldBePostedBlock(bytes)) {
      if (!headerIsValidRlp(bytes))
        throw new ExecuteError(
          ExecuteErrorCode.InvalidHeader,
          `the header of the block is not valid RLP: ${error.message}`,
          { cause: error },
        );
      throw new ExecuteError(
        ExecuteErrorCode.InvalidTransactions,
        `the body of the block is not valid RLP: ${error.message}`,
        { cause: error },
      );
    }
    throw error;
  }
  if (values.length < 1 || !Array.isArray(values[0])) {
    throw new ExecuteError(
      ExecuteErrorCode.MalformedInput,
      "block must be the RLP list [header, transactions, ommers, withdrawals]",
    );
  }
  const fields = values[0] as Uint8Array[];
  checkHeaderEncoding(fields, common);
  checkGasFields(fields, maxGasLimit);
  const header = headerFromValues(fields, common, "block header", ExecuteErrorCode.InvalidHeader);
  const bodyFields = common.isActivatedEIP(4895) ? 4 : 3;
  if (values.length !== bodyFields) {
    throw new ExecuteError(
      ExecuteErrorCode.InvalidHeader,
      `block has ${values.length} parts, not [header, transactions, ommers${bodyFields === 4 ? ", withdrawals" : ""}]`,
    );
  }
  const [, transactions, ommers, withdrawals] = values;
  if (!Array.isArray(transactions))
    throw new ExecuteError(ExecuteErrorCode.InvalidTransactions, "the transactions of the block are not a list");
  // Before any transaction is decoded or any signature recovered (docs/design/execute-budget.md).
  checkTransactionCount(
    transactions.length,
    bytesToBigInt(fields[HEADER_GAS_LIMIT_INDEX]),
    minBlockGasPerTransaction(common),
  );
  if (!Array.isArray(ommers) || ommers.length > 0)
    throw new ExecuteError(ExecuteErrorCode.InvalidHeader, "a post-merge block has no ommers");
  if (bodyFields === 4 && (!Array.isArray(withdrawals) || withdrawals.length > 0)) {
    throw new ExecuteError(ExecuteErrorCode.UnsupportedContent, "a native L2 block has no withdrawals");
  }
  (transactions as unknown[]).forEach((tx, index) => {
    // EIP-2718 as the execution specs decode a body (`decode_transaction`): a byte string is a
    // typed transaction, led by its type (below 0x80); a legacy transaction is an RLP list. A
    // byte string holding a legacy transaction's list (led by ≥ 0xc0) is refused there and by
    // geth, though EthereumJS's decoder would read it as that legacy transaction.
    if (tx instanceof Uint8Array && (tx.length === 0 || tx[0] >= MIN_RLP_PREFIX)) {
      throw new ExecuteError(
        ExecuteErrorCode.InvalidTransactions,
        `transaction ${index} is a byte string ${tx.length === 0 ? "that is empty" : `led by 0x${tx[0].toString(16)}`}, not a typed transaction (EIP-2718: a legacy transaction is an RLP list)`,
      );
    }
    // Checked on the raw bytes: decoding a blob transaction would need a KZG library.
    if (tx instanceof Uint8Array && tx[0] === BLOB_TX_TYPE) {
      throw new ExecuteError(
        ExecuteErrorCode.UnsupportedContent,
        `transaction ${index} is a blob transaction, which a native L2 does not accept`,
      );
    }
  });
  // A typed transaction is decoded by @ethereumjs/tx's recursive decoder: bounded first, and
  // refused with the code that decoder's failure gives below (docs/design/rlp-depth.md).
  (transactions as unknown[]).forEach((tx, index) => {
    if (!(tx instanceof Uint8Array)) return;
    try {
      checkRlpDepth(tx.subarray(1));
    } catch (error) {
      throw new ExecuteError(
        ExecuteErrorCode.InvalidTransactions,
        `transaction ${index} is not valid RLP: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  });
  const options = { common, skipConsensusFormatValidation: true };
  try {
    return sharedTransactionCommon
      ? blockWithEmptyOmmersAndWithdrawals(header, transactions as TransactionData[], options)
      : createBlockFromBytesArray(values as never, options);
  } catch (error) {
    // The header and the body's shape are checked above, so what failed is a transaction.
    throw new ExecuteError(ExecuteErrorCode.InvalidTransactions, `block body is invalid: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

function compareRoot(actual: Uint8Array, expected: Uint8Array, code: ExecuteErrorCode, field: string): void {
  if (!equalsBytes(actual, expected)) {
    throw new ExecuteError(
      code,
      `${field} mismatch: header has 0x${toHex(expected)}, execution gives 0x${toHex(actual)}`,
    );
  }
}

function checkExecution(block: Block, result: RunBlockResult): void {
  const { header } = block;
  compareRoot(result.stateRoot, header.stateRoot, ExecuteErrorCode.StateRootMismatch, "state root");
  compareRoot(result.receiptsRoot, header.receiptTrie, ExecuteErrorCode.ReceiptsRootMismatch, "receipts root");
  compareRoot(result.logsBloom, header.logsBloom, ExecuteErrorCode.LogsBloomMismatch, "logs bloom");
  if (result.gasUsed !== header.gasUsed) {
    throw new ExecuteError(
      ExecuteErrorCode.GasUsedMismatch,
      `gasUsed mismatch: header has ${header.gasUsed}, execution used ${result.gasUsed}; ${describeTransactionGas(result.results.map(blockGasOf))}`,
    );
  }
  if (result.requestsHash !== undefined && !equalsBytes(result.requestsHash, EMPTY_REQUESTS_HASH)) {
    throw new ExecuteError(ExecuteErrorCode.UnsupportedContent, "execution produced execution requests");
  }
}

/** How the verifier's trie and state manager work: the verdict is the same for every choice. */
interface VerifierOptions {
  readonly memoizeTrieNodes: boolean;
  readonly cacheStateReads: boolean;
  readonly lazyTrieHashing: boolean;
  readonly writes?: WriteRules;
  readonly ethereumJsRunBlock: boolean;
  readonly decodedAccounts: boolean;
}

async function execute(
  block: Block,
  parent: BlockHeader,
  witnessDb: WitnessDB,
  blockchain: WitnessBlockchain,
  common: Common,
  pacing: ExecutionPacing,
  { memoizeTrieNodes, cacheStateReads, lazyTrieHashing, writes, ethereumJsRunBlock, decodedAccounts }: VerifierOptions,
): Promise<RunBlockResult> {
  const options = { db: witnessDb, useKeyHashing: true, common, valueEncoding: ValueEncoding.Bytes };
  // One memo per verification: it dies with this trie and its storage tries.
  const trie = !memoizeTrieNodes
    ? new MerklePatriciaTrie(options)
    : lazyTrieHashing
      ? new LazyHashTrie(options)
      : new DecodedNodeTrie(options);
  const stateManager = verifierStateManager({
    trie,
    common,
    writes: writeRuleAt(writes ?? DEFAULT_VERIFIER_WRITES, block.header),
    cacheStateReads,
    decodedAccounts,
  });
  await stateManager.setStateRoot(parent.stateRoot);
  await checkUncheckedSystemContracts(common, stateManager);
  // The block's caches start empty, as in every witness recorder (`recordVerifierRun` reads nothing
  // before runBlock): an account this check cached would otherwise enter the block's flush order at
  // its first write instead of its first read, and a deletion's branch collapse could then read a
  // node the recorder never did (docs/design/attack-review-s24.md, finding 1).
  stateManager.clearCaches();
  if (stateManager instanceof BlockBufferedStateManager) stateManager.dropWritesAtLastCommit();
  const vm = await createVM({ common, stateManager, blockchain, evmOpts: evmOptions() });
  stopPastClaimedGas(vm, block.header.gasUsed);
  paceExecution(vm.evm, pacing);
  // skipBlockValidation: every rule it would check is checkBlockShape's (headerRules.ts).
  const watch = watchSystemCalls(common, vm.evm);
  try {
    const result = await runBlockAsVerifier(vm, block, ethereumJsRunBlock);
    watch.verdict();
    return result;
  } finally {
    watch.stop();
  }
}

function classifyExecutionError(error: unknown, witnessDb: WitnessDB): ExecuteError {
  if (error instanceof ExecuteError) return error;
  if (error instanceof SystemCallError)
    return new ExecuteError(ExecuteErrorCode.SystemCallFailed, error.message, { cause: error });
  if (error instanceof MissingWitnessDataError || witnessDb.missing.length > 0) {
    const reason =
      error instanceof MissingWitnessDataError
        ? error.message
        : `witness is missing ${witnessDb.missing.length} entries`;
    return new ExecuteError(ExecuteErrorCode.WitnessIncomplete, reason, { cause: error });
  }
  return new ExecuteError(ExecuteErrorCode.TransactionRejected, `block execution failed: ${(error as Error).message}`, {
    cause: error,
  });
}

/** A decoded block whose header follows its parent and whose content a native L2 allows. */
export interface CheckedBlock {
  readonly common: Common;
  readonly parent: BlockHeader;
  readonly block: Block;
}

/**
 * The checks that need no state (docs/DESIGN.md §3.3, checks 1–7) plus the transactions root: what
 * both re-execution and proof verification establish before anything else.
 */
export async function checkBlockShape(
  params: Pick<
    VerifyBlockParams,
    "chainId" | "common" | "parentHeader" | "block" | "maxGasLimit" | "sharedTransactionCommon"
  >,
): Promise<CheckedBlock> {
  await prepareCrypto();
  const common = l2Common(params.chainId, params.common);
  const parent = decodeHeader(params.parentHeader, common, "parent header");
  const block = decodeBlock(
    params.block,
    common,
    params.maxGasLimit ?? maxVerifiableL2GasLimit(),
    params.sharedTransactionCommon ?? true,
  );
  checkHeaderAgainstParent(block.header, parent);
  checkHeaderFields(block.header);
  checkBlockContent(block);
  if (!equalsBytes(transactionsRootOf(block.transactions, common), block.header.transactionsTrie)) {
    throw new ExecuteError(
      ExecuteErrorCode.InvalidTransactions,
      "transactions do not match the header's transactions root",
    );
  }
  return { common, parent, block };
}

/**
 * Verifies an L2 block by stateless re-execution: the check behind EXECUTE, callable without
 * an L1. Resolves to the EXECUTE result, or throws `ExecuteError` with the on-chain code.
 */
export async function verifyBlock(params: VerifyBlockParams): Promise<ExecuteResult> {
  return reexecute(
    await checkBlockShape(params),
    params.chainId,
    params.witness,
    params.pacing,
    params.memoizeTrieNodes,
    params.cacheStateReads,
    params.lazyTrieHashing,
    params.writes,
    params.ethereumJsRunBlock,
    params.decodedAccounts,
  );
}

/** Re-executes a block whose shape `checkBlockShape` already checked, from `encodedWitness`. */
export async function reexecute(
  checked: CheckedBlock,
  chainId: bigint,
  encodedWitness: Uint8Array,
  pacing: ExecutionPacing = {},
  memoizeTrieNodes = true,
  cacheStateReads = true,
  lazyTrieHashing = true,
  writes?: WriteRules,
  ethereumJsRunBlock = false,
  decodedAccounts = true,
): Promise<ExecuteResult> {
  const { common, parent, block } = checked;
  const witness = decodeWitness(encodedWitness);
  checkTransactions(block, chainId, pacing);

  const witnessDb = new WitnessDB(witness, common.customCrypto.keccak256);
  const blockchain = WitnessBlockchain.fromHeaders(parent, witness.headers);
  let result: RunBlockResult;
  try {
    // Racing the first missing read guards against library code that swallows the error.
    result = await Promise.race([
      execute(block, parent, witnessDb, blockchain, common, pacing, {
        memoizeTrieNodes,
        cacheStateReads,
        lazyTrieHashing,
        writes,
        ethereumJsRunBlock,
        decodedAccounts,
      }),
      witnessDb.firstMissing,
    ]);
  } catch (error) {
    throw classifyExecutionError(error, witnessDb);
  }
  if (witnessDb.missing.length > 0) {
    throw new ExecuteError(
      ExecuteErrorCode.WitnessIncomplete,
      `witness is missing ${witnessDb.missing.length} entries read during execution`,
    );
  }
  checkExecution(block, result);
  return resultOf(block);
}

/** The EXECUTE result a block's header claims (verified by re-execution or by proofs). */
export function resultOf(block: Block): ExecuteResult {
  const { header } = block;
  return {
    blockHash: block.hash(),
    stateRoot: header.stateRoot,
    receiptsRoot: header.receiptTrie,
    number: header.number,
    timestamp: header.timestamp,
    gasLimit: header.gasLimit,
    gasUsed: header.gasUsed,
    baseFeePerGas: header.baseFeePerGas ?? 0n,
    burnedFees: (header.baseFeePerGas ?? 0n) * header.gasUsed,
    coinbase: header.coinbase.bytes,
    parentBeaconBlockRoot: header.parentBeaconBlockRoot ?? new Uint8Array(32),
  };
}
