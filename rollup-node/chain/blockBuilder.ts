import { Block, type HeaderData, createBlockHeader } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import { Blob4844Tx, Capability, type TypedTransaction } from "@ethereumjs/tx";
import { Address, KECCAK256_RLP } from "@ethereumjs/util";
import type { AfterBlockEvent, RunBlockResult, RunTxResult, VM } from "@ethereumjs/vm";

import { SystemCallError, checkUncheckedSystemContracts, runBlockWith, watchSystemCalls } from "../../precompiles";
import { yieldBetweenTransactions } from "./executionYield";
import { feeCapOf } from "./txPool";
import { describeRejection } from "./txValidation";
import type { BeforeExecutionHook, BlockRecord, ChainReceipt, MinedBlock, SkippedTransaction } from "./types";

/** Header fields the producer chooses; the rest follows from the parent and execution. */
export interface BlockTemplate {
  readonly timestamp: bigint;
  readonly coinbase: Uint8Array;
  readonly parentBeaconBlockRoot: Uint8Array;
  readonly extraData: Uint8Array;
  readonly prevRandao: Uint8Array;
  /** The block's gas limit; the parent's by default. */
  readonly gasLimit?: bigint;
}

export interface ProduceBlockParams {
  readonly vm: VM;
  readonly common: Common;
  readonly parent: Block;
  /** The state the block executes on: the parent's root, unless dev methods changed it since. */
  readonly parentStateRoot: Uint8Array;
  readonly txs: readonly TypedTransaction[];
  readonly template: BlockTemplate;
  readonly beforeExecution?: BeforeExecutionHook;
  /**
   * Build with EthereumJS's runBlock instead of EXECUTE's block runner (`runBlockWith`): the same
   * blocks, receipts and errors (test/rollup-node/chain/blockRunnerNode.test.ts); the differential
   * test's and the benches' baseline only.
   */
  readonly ethereumJsRunBlock?: boolean;
}

const BLOCK_FULL = "tx has a higher gas limit than the block";

/** The gas price a transaction actually pays per gas in a block with `baseFee`. */
export function effectiveGasPrice(tx: TypedTransaction, baseFee: bigint): bigint {
  if (tx.supports(Capability.EIP1559FeeMarket)) {
    const fee = tx as TypedTransaction & { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint };
    const tip =
      fee.maxFeePerGas - baseFee < fee.maxPriorityFeePerGas ? fee.maxFeePerGas - baseFee : fee.maxPriorityFeePerGas;
    return baseFee + tip;
  }
  return (tx as TypedTransaction & { gasPrice: bigint }).gasPrice;
}

/**
 * Blob gas the transactions consume (EIP-4844). runBlock's `generate` does not fill this header
 * field, and a header whose blobGasUsed disagrees with its blob transactions is invalid.
 */
function blobGasOf(txs: readonly TypedTransaction[], common: Common): bigint {
  let blobs = 0n;
  for (const tx of txs) if (tx instanceof Blob4844Tx) blobs += BigInt(tx.numBlobs());
  return blobs * common.param("blobGasPerBlob");
}

/**
 * The gas limit of the block being built: its template's, which may differ from the parent's (a
 * chain below the L2 gas-limit floor climbs), so a transaction is judged by the block it goes in.
 */
function blockGasLimit(params: ProduceBlockParams): bigint {
  return params.template.gasLimit ?? params.parent.header.gasLimit;
}

function headerFor(
  parent: Block,
  common: Common,
  template: BlockTemplate,
  txs: readonly TypedTransaction[],
): HeaderData {
  return {
    parentHash: parent.hash(),
    number: parent.header.number + 1n,
    gasLimit: template.gasLimit ?? parent.header.gasLimit,
    timestamp: template.timestamp,
    coinbase: new Address(template.coinbase),
    extraData: template.extraData,
    mixHash: template.prevRandao,
    baseFeePerGas: common.isActivatedEIP(1559) ? parent.header.calcNextBaseFee() : undefined,
    withdrawalsRoot: common.isActivatedEIP(4895) ? KECCAK256_RLP : undefined,
    blobGasUsed: common.isActivatedEIP(4844) ? blobGasOf(txs, common) : undefined,
    excessBlobGas: common.isActivatedEIP(4844) ? parent.header.calcNextExcessBlobGas(common) : undefined,
    parentBeaconBlockRoot: common.isActivatedEIP(4788) ? template.parentBeaconBlockRoot : undefined,
  };
}

/** The receipts of an executed block, with the fields eth_getTransactionReceipt reports. */
export function receiptsOf(block: Block, result: RunBlockResult): ChainReceipt[] {
  const baseFee = block.header.baseFeePerGas ?? 0n;
  return block.transactions.map((tx, index): ChainReceipt => {
    const txResult = result.results[index] as RunTxResult;
    const receipt = txResult.receipt as RunTxResult["receipt"] & { status?: 0 | 1; stateRoot?: Uint8Array };
    const exception = txResult.execResult.exceptionError;
    return {
      transactionHash: tx.hash(),
      transactionIndex: index,
      blockNumber: block.header.number,
      blockHash: block.hash(),
      from: tx.getSenderAddress().bytes,
      to: tx.to?.bytes,
      type: tx.type,
      status: receipt.status ?? (exception === undefined ? 1 : 0),
      cumulativeGasUsed: receipt.cumulativeBlockGasUsed,
      gasUsed: txResult.totalGasSpent,
      effectiveGasPrice: effectiveGasPrice(tx, baseFee),
      contractAddress: tx.to === undefined && exception === undefined ? txResult.createdAddress?.bytes : undefined,
      logs: receipt.logs.map(([address, topics, data]) => ({ address, topics, data })),
      logsBloom: receipt.bitvector,
      revertData: exception === undefined ? new Uint8Array() : txResult.execResult.returnValue,
      error: exception?.error,
      ...(receipt.stateRoot !== undefined ? { postStateRoot: receipt.stateRoot } : {}),
      ...(txResult.blobGasUsed !== undefined && tx.type === 3
        ? { blobGasUsed: txResult.blobGasUsed, blobGasPrice: block.header.getBlobGasPrice() }
        : {}),
    };
  });
}

/**
 * Drops transactions whose nonce or funds are wrong against the pre-state, so that a re-run of
 * the block (which costs a full execution) is needed only for failures only execution reveals.
 */
async function preselect(params: ProduceBlockParams, skipped: SkippedTransaction[]): Promise<TypedTransaction[]> {
  const state = params.vm.stateManager;
  await state.setStateRoot(params.parentStateRoot);
  const nonces = new Map<string, bigint>();
  const selected: TypedTransaction[] = [];
  const maxBlobGas = params.common.isActivatedEIP(4844) ? params.common.getBlobGasSchedule().maxBlobGasPerBlock : 0n;
  let blobGas = 0n;
  const baseFee = params.common.isActivatedEIP(1559) ? params.parent.header.calcNextBaseFee() : 0n;
  for (const tx of params.txs) {
    const sender = tx.getSenderAddress();
    const key = sender.toString();
    let expected = nonces.get(key);
    let balance = 0n;
    if (expected === undefined) {
      const account = await state.getAccount(sender);
      expected = account?.nonce ?? 0n;
      balance = account?.balance ?? 0n;
    }
    const reject = (reason: string, retryable: boolean): void => {
      skipped.push({ tx, reason, retryable });
    };
    const txBlobGas = blobGasOf([tx], params.common);
    if (tx.gasLimit > blockGasLimit(params)) reject("exceeds block gas limit", false);
    else if (txBlobGas > maxBlobGas) reject("blob gas exceeds the block's maximum", false);
    else if (blobGas + txBlobGas > maxBlobGas) reject("block blob gas limit reached", true);
    else if (tx.nonce < expected) reject("nonce too low", false);
    else if (tx.nonce > expected) reject("nonce too high", true);
    // Below this block's base fee it may fit a later block (as in geth's pool): it waits, and so
    // do its sender's later nonces, instead of being dropped and stranding them.
    else if (feeCapOf(tx) < baseFee) reject("max fee per gas less than block base fee", true);
    else if (!nonces.has(key) && balance < tx.value) reject("insufficient funds for gas * price + value", false);
    else {
      nonces.set(key, expected + 1n);
      blobGas += txBlobGas;
      selected.push(tx);
    }
  }
  return selected;
}

interface Attempt {
  readonly ok: true;
  readonly record: BlockRecord;
  readonly requests: readonly Uint8Array[];
}
interface FailedAttempt {
  readonly ok: false;
  readonly failedIndex: number;
  readonly message: string;
}

async function attempt(params: ProduceBlockParams, txs: readonly TypedTransaction[]): Promise<Attempt | FailedAttempt> {
  const { vm, common, parent, template } = params;
  const withdrawals = common.isActivatedEIP(4895) ? [] : undefined;
  // The Block constructor keeps the transaction objects (createBlock would re-create them and
  // lose their cached senders: secp256k1 recovery dominates block building otherwise).
  const block = new Block(
    createBlockHeader(headerFor(parent, common, template, txs), { common }),
    [...txs],
    [],
    withdrawals,
    { common },
  );
  let started = 0;
  let built: Block | undefined = undefined as Block | undefined;
  const onTx = (): void => {
    started++;
  };
  const onBlock = (event: AfterBlockEvent): void => {
    built = event.block;
  };
  vm.events.on("beforeTx", onTx);
  vm.events.on("afterBlock", onBlock);
  // Admissions (sockets) are served between transactions while a long block runs.
  const stopYielding = yieldBetweenTransactions(vm);
  params.beforeExecution?.("block");
  // EthereumJS accepts a block whose EIP-7002/7251 system call failed; the specs (and EXECUTE) do not.
  const systemCalls = watchSystemCalls(common, vm.evm);
  try {
    // runBlockWith runs the block's executionView: the generate branch's rebuild of the block from a
    // spread of it then re-creates no transaction (a Common copy and a parameter merge each, ~8 % of a
    // capacity run's CPU), and only its header is used. EXECUTE's runner builds the transactions and
    // receipts roots in one pass each, not a trie with a put per item (docs/design/l2-throughput.md).
    const result = await runBlockWith(vm, block, {
      root: params.parentStateRoot,
      ethereumJsRunBlock: params.ethereumJsRunBlock,
    });
    systemCalls.verdict();
    if (built === undefined) throw new Error("runBlock did not report the generated block");
    const sealed = new Block(built.header, [...txs], [], withdrawals, { common });
    const requests = (result.requests ?? []).filter((r) => r.data.length > 0).map((r) => r.bytes);
    return { ok: true, record: { block: sealed, receipts: receiptsOf(sealed, result) }, requests };
  } catch (error) {
    // Failures after the last transaction (system calls, requests) are not a transaction's fault.
    if (error instanceof SystemCallError || (started === 0 && txs.length === 0)) throw error;
    const message = (error as Error).message;
    const failedIndex = message.startsWith(BLOCK_FULL) ? started : started - 1;
    if (failedIndex < 0 || failedIndex >= txs.length) throw error;
    return { ok: false, failedIndex, message };
  } finally {
    systemCalls.stop();
    stopYielding();
    vm.events.off("beforeTx", onTx);
    vm.events.off("afterBlock", onBlock);
  }
}

/**
 * Builds and executes the next block with runBlock(generate)'s steps (`runBlockWith`): one linear pass over the
 * transactions (unlike `BlockBuilder.addTransaction`, which re-creates the block per tx), and
 * the exact code path the EXECUTE verifier re-runs, so the header always verifies.
 *
 * A transaction that fails validation is left out with its reason and the block is re-run
 * without it; a transaction that no longer fits ends the block, it and the rest are retryable.
 * The state manager is left at the new block's state root. Throws `SystemCallError` when the
 * state makes every next block invalid (a system contract missing, failing or foreign).
 */
export async function produceBlock(params: ProduceBlockParams): Promise<MinedBlock> {
  const skipped: SkippedTransaction[] = [];
  let txs = await preselect(params, skipped);
  // preselect left the state at the parent's root: the EIP-4788/2935 writes happen on it.
  await checkUncheckedSystemContracts(params.common, params.vm.stateManager);
  for (;;) {
    const result = await attempt(params, txs);
    if (result.ok)
      return { record: result.record, skipped, preStateRoot: params.parentStateRoot, requests: result.requests };
    const failed = txs[result.failedIndex] as TypedTransaction;
    if (result.message.includes(BLOCK_FULL) && failed.gasLimit <= blockGasLimit(params)) {
      for (const tx of txs.slice(result.failedIndex))
        skipped.push({ tx, reason: "block gas limit reached", retryable: true });
      txs = txs.slice(0, result.failedIndex);
      continue;
    }
    skipped.push({ tx: failed, reason: describeRejection(result.message).reason, retryable: false });
    // Later transactions of the same sender now have a nonce gap: keep them for a later block.
    const sender = failed.getSenderAddress().toString();
    const later = txs.slice(result.failedIndex + 1);
    for (const tx of later) {
      if (tx.getSenderAddress().toString() === sender) skipped.push({ tx, reason: "nonce too high", retryable: true });
    }
    txs = [...txs.slice(0, result.failedIndex), ...later.filter((tx) => tx.getSenderAddress().toString() !== sender)];
  }
}
