import { type Block, createBlock, genRequestsRoot } from "@ethereumjs/block";
import { type ChainConfig, ConsensusType, Hardfork, Mainnet } from "@ethereumjs/common";
import {
  Address,
  BIGINT_0,
  BIGINT_1,
  CLRequest,
  CLRequestType,
  EthereumJSErrorWithoutCode,
  bigIntToAddressBytes,
  bigIntToBytes,
  bytesToBigInt,
  bytesToHex,
  concatBytes,
  createAddressFromString,
  equalsBytes,
  setLengthLeft,
} from "@ethereumjs/util";
import { Bloom, type RunBlockResult, type RunTxResult, type TxReceipt, type VM, runTx } from "@ethereumjs/vm";
import { sha256 } from "@noble/hashes/sha2.js";

import { receiptsRootOf, transactionsRootOf } from "./blockRoots";

/**
 * EIPs whose block-level rules this runner does not implement: a VM with any of them active runs
 * EthereumJS's `runBlock` instead (`canRunWithoutRunBlock`). EIP-7928 (block access lists), EIP-7864
 * (binary trees), EIP-8037 (two gas dimensions), EIP-8282 (builder requests): none is in a fork an L2
 * follows today (Osaka at most), and each changes what runBlock does around the transactions.
 */
const UNIMPLEMENTED_BLOCK_EIPS = [7928, 7864, 8037, 8282] as const;

/** EIP-4788's contract: EthereumJS 10.1.3 names it as a constant, not a parameter. */
const BEACON_ROOTS_ADDRESS = "0x000F3df6D732807Ef1319fB7B8bB8522d0Beac02";

/** EIP-6110: the topic of the deposit contract's `DepositEvent`. */
const DEPOSIT_TOPIC = "0x649bbc62d0e31342afea4e5cd82d4049e7e1ee912fc0889aa790803be39038c5";
/** EIP-6110: a deposit log's data is the ABI encoding of five byte strings; its one accepted layout. */
const DEPOSIT_LOG_SIZE = 576;
const DEPOSIT_FIELDS: readonly { readonly offset: number; readonly size: number }[] = [
  { offset: 160, size: 48 }, // pubkey
  { offset: 256, size: 32 }, // withdrawal credentials
  { offset: 320, size: 8 }, // amount
  { offset: 384, size: 96 }, // signature
  { offset: 512, size: 8 }, // index
];
const DEPOSIT_LAYOUT_MISMATCH = "invalid deposit log: unsupported data layout";
const WORD = 32;

/**
 * True when `runVerifierBlock` does exactly what EthereumJS's `runBlock` does for `block` on `vm`:
 * proof of stake (no rewards, no DAO fork), no withdrawals to pay, the VM's hardfork fixed (no
 * `setHardfork`), and none of `UNIMPLEMENTED_BLOCK_EIPS` active.
 */
export function canRunWithoutRunBlock(vm: VM, block: Block): boolean {
  const { common } = vm;
  const { number } = block.header;
  if (block.common.consensusType() === ConsensusType.ProofOfWork) return false;
  if (common.hardforkIsActiveOnBlock(Hardfork.Dao, number) && number === common.hardforkBlock(Hardfork.Dao))
    return false;
  if ((vm as unknown as { _setHardfork: unknown })._setHardfork !== false) return false;
  if (UNIMPLEMENTED_BLOCK_EIPS.some((eip) => common.isActivatedEIP(eip))) return false;
  return (block.withdrawals?.length ?? 0) === 0;
}

function errorMessage(msg: string, vm: VM, block: Block): string {
  return `${msg} (${vm.errorStr()} -> ${block.errorStr()})`;
}

function slotKey(index: bigint): Uint8Array {
  return setLengthLeft(bigIntToBytes(index), WORD);
}

/** EIP-4788: the parent beacon block root and the timestamp into the contract's two ring buffers, if it has code. */
async function storeParentBeaconBlockRoot(vm: VM, block: Block): Promise<void> {
  const { timestamp, parentBeaconBlockRoot } = block.header;
  const length = BigInt(vm.common.param("historicalRootsLength"));
  const address = createAddressFromString(BEACON_ROOTS_ADDRESS);
  const code = await vm.stateManager.getCode(address);
  if (code.length === 0) return;
  const index = timestamp % length;
  await vm.stateManager.putStorage(address, slotKey(index), bigIntToBytes(timestamp));
  await vm.stateManager.putStorage(address, slotKey(index + length), parentBeaconBlockRoot as Uint8Array);
  await vm.evm.journal.cleanup();
}

/** EIP-2935: the parent's hash into the history contract's ring buffer, if it has code. */
async function storeParentBlockHash(vm: VM, block: Block): Promise<void> {
  const address = new Address(bigIntToAddressBytes(vm.common.param("historyStorageAddress")));
  const window = vm.common.param("historyServeWindow");
  const code = await vm.stateManager.getCode(address);
  if (code.length === 0) return;
  await vm.stateManager.putStorage(
    address,
    slotKey((block.header.number - BIGINT_1) % window),
    block.header.parentHash,
  );
  await vm.evm.journal.cleanup();
}

interface AppliedTransactions {
  readonly bloom: Bloom;
  readonly gasUsed: bigint;
  readonly receipts: TxReceipt[];
  readonly results: RunTxResult[];
}

async function applyTransactions(vm: VM, block: Block): Promise<AppliedTransactions> {
  const bloom = new Bloom(undefined, vm.common);
  let gasUsed = BIGINT_0;
  // The receipts' cumulative gas: with refunds, unlike the header's (EIP-7778).
  let receiptGasUsed = BIGINT_0;
  const receipts: TxReceipt[] = [];
  const results: RunTxResult[] = [];
  for (const tx of block.transactions) {
    if (block.header.gasLimit < tx.gasLimit + gasUsed) {
      throw EthereumJSErrorWithoutCode(errorMessage("tx has a higher gas limit than the block", vm, block));
    }
    const result = await runTx(vm, { tx, block, skipHardForkValidation: true, blockGasUsed: receiptGasUsed });
    results.push(result);
    gasUsed += result.blockGasSpent;
    receiptGasUsed += result.totalGasSpent;
    bloom.or(result.bloom);
    receipts.push(result.receipt);
  }
  return { bloom, gasUsed, receipts, results };
}

function depositRequestOf(data: Uint8Array): Uint8Array {
  if (data.length !== DEPOSIT_LOG_SIZE) throw EthereumJSErrorWithoutCode(DEPOSIT_LAYOUT_MISMATCH);
  // The five head words hold the fields' offsets, each field's first word its size: all fixed.
  const heads = DEPOSIT_FIELDS.map((_, i) => bytesToBigInt(data.slice(i * WORD, (i + 1) * WORD)));
  if (heads.some((head, i) => head !== BigInt(DEPOSIT_FIELDS[i].offset)))
    throw EthereumJSErrorWithoutCode(DEPOSIT_LAYOUT_MISMATCH);
  const sizes = DEPOSIT_FIELDS.map(({ offset }) => bytesToBigInt(data.slice(offset, offset + WORD)));
  if (sizes.some((size, i) => size !== BigInt(DEPOSIT_FIELDS[i].size)))
    throw EthereumJSErrorWithoutCode(DEPOSIT_LAYOUT_MISMATCH);
  return concatBytes(...DEPOSIT_FIELDS.map(({ offset, size }) => data.slice(offset + WORD, offset + WORD + size)));
}

/** EIP-6110: the deposit contract's deposit logs of the block, in order. */
function depositsRequest(vm: VM, results: readonly RunTxResult[]): CLRequest<CLRequestType> {
  const chain = (vm.common as unknown as { _chainParams: ChainConfig })._chainParams;
  const contract = (chain.depositContractAddress ?? Mainnet.depositContractAddress)?.toLowerCase();
  if (contract === undefined) throw EthereumJSErrorWithoutCode("deposit contract address required with EIP 6110");
  const deposits: Uint8Array[] = [];
  for (const { receipt } of results) {
    for (const [address, topics, data] of receipt.logs) {
      if (
        topics.length > 0 &&
        bytesToHex(topics[0]) === DEPOSIT_TOPIC &&
        bytesToHex(address).toLowerCase() === contract
      )
        deposits.push(depositRequestOf(data));
    }
  }
  return new CLRequest(CLRequestType.Deposit, concatBytes(...deposits));
}

/**
 * EIP-7002 / EIP-7251: a call from the system address to the request contract, its return data the
 * request; none when the contract's account does not exist. The system account is put back as it was.
 */
async function systemCallRequest(
  vm: VM,
  type: typeof CLRequestType.Withdrawal | typeof CLRequestType.Consolidation,
  addressParam: string,
): Promise<CLRequest<CLRequestType>> {
  const target = createAddressFromString(bytesToHex(setLengthLeft(bigIntToBytes(vm.common.param(addressParam)), 20)));
  const system = createAddressFromString(bytesToHex(bigIntToAddressBytes(vm.common.param("systemAddress"))));
  const systemAccount = await vm.stateManager.getAccount(system);
  if ((await vm.stateManager.getAccount(target)) === undefined) return new CLRequest(type, new Uint8Array(0));
  const result = await vm.evm.runCall({ caller: system, gasLimit: vm.common.param("systemCallGasLimit"), to: target });
  if (systemAccount === undefined) await vm.stateManager.deleteAccount(system);
  else await vm.stateManager.putAccount(system, systemAccount);
  return new CLRequest(type, result.execResult.returnValue);
}

/** EIP-7685: the block's requests in type order, from the EIPs that are active. */
async function blockRequests(vm: VM, results: readonly RunTxResult[]): Promise<CLRequest<CLRequestType>[]> {
  const requests: CLRequest<CLRequestType>[] = [];
  if (vm.common.isActivatedEIP(6110)) requests.push(depositsRequest(vm, results));
  if (vm.common.isActivatedEIP(7002))
    requests.push(await systemCallRequest(vm, CLRequestType.Withdrawal, "withdrawalRequestPredeployAddress"));
  if (vm.common.isActivatedEIP(7251))
    requests.push(await systemCallRequest(vm, CLRequestType.Consolidation, "consolidationRequestPredeployAddress"));
  return requests;
}

/** How `runVerifierBlock` runs a block: the `runBlock` options it stands for besides the verifier's fixed ones. */
export interface BlockRunOptions {
  /**
   * runBlock's `generate: false`: compare the header's requests hash, receipts root, bloom, gas used and
   * state root with the run (throwing runBlock's error at the first that differs, after reverting the
   * block) instead of generating them; the transactions root is then not computed and the block not
   * rebuilt. The node's witness capture of a block whose header is final. Generate when absent.
   */
  readonly againstHeader?: boolean;
  /** runBlock's `root`: the state root set (caches cleared) after `beforeBlock`, before the run. */
  readonly root?: Uint8Array;
}

/** runBlock's `generate: false` checks, in its order and with its messages; the block's checkpoint is reverted on a mismatch. */
async function checkAgainstHeader(
  vm: VM,
  block: Block,
  applied: AppliedTransactions,
  receiptsRoot: Uint8Array,
  stateRoot: Uint8Array,
  requestsHash: Uint8Array | undefined,
): Promise<void> {
  const { header } = block;
  let mismatch: string | undefined;
  try {
    // As runBlock's: a header without a requests hash under EIP-7685 throws from equalsBytes (reverted too).
    if (vm.common.isActivatedEIP(7685) && !equalsBytes(header.requestsHash as Uint8Array, requestsHash as Uint8Array))
      mismatch = "invalid requestsHash";
    else if (!equalsBytes(receiptsRoot, header.receiptTrie)) mismatch = "invalid receiptTrie";
    else if (!equalsBytes(applied.bloom.bitvector, header.logsBloom)) mismatch = "invalid bloom";
    else if (applied.gasUsed !== header.gasUsed) mismatch = "invalid gasUsed";
    else if (!equalsBytes(stateRoot, header.stateRoot))
      mismatch = `invalid block stateRoot, got: ${bytesToHex(stateRoot)}, want: ${bytesToHex(header.stateRoot)}`;
  } catch (error) {
    await vm.evm.journal.revert();
    throw error;
  }
  if (mismatch === undefined) return;
  await vm.evm.journal.revert();
  throw EthereumJSErrorWithoutCode(errorMessage(mismatch, vm, block));
}

/**
 * A block's run as EthereumJS 10.1.3's `runBlock(vm, { block, root, generate, skipBlockValidation: true,
 * skipHardForkValidation: true })` does it (runBlock.js: runBlock, applyBlock, applyTransactions;
 * requests.js), `generate` being true unless `options.againstHeader`, for a VM and block that
 * `canRunWithoutRunBlock` accepts, with the receipts root and the transactions root each computed in one
 * pass (`orderedTrieRoot`) instead of a `MerklePatriciaTrie` with one asynchronous put per item (≈ 10 % of
 * an ETH-transfer verification, scripts/bench-block-roots.ts). EXECUTE's re-execution, the node's block
 * build (`root`, generating) and its witness capture (`againstHeader`) all run it.
 *
 * The same state operations in the same order (so the same witness reads and the same root): the
 * `beforeBlock` event, the state root set (`root`), the block checkpoint, EIP-4788 then EIP-2935 (storage
 * writes when the contract has code, then the journal's cleanup), each transaction through `runTx` after
 * the block gas limit check, the withdrawals' cleanup (EIP-4895: none to pay), then EIP-7685's requests
 * (deposit logs, the EIP-7002 and EIP-7251 system calls), the state root, then either the rebuild of the
 * header with the generated fields (`createBlock`, whose checks stay) or the header's checks
 * (`checkAgainstHeader`), the commit and the `afterBlock` event. The same errors with the same messages,
 * and a revert of the block checkpoint where runBlock reverts it (a failure before the requests, in them
 * or in the header's checks). The differential tests (test/precompiles/blockRunnerDifferential.test.ts,
 * test/rollup-node/chain/blockRunnerNode.test.ts) compare every result field, error and witness read with
 * runBlock's.
 */
export async function runVerifierBlock(vm: VM, block: Block, options: BlockRunOptions = {}): Promise<RunBlockResult> {
  const { common } = vm;
  await vm._emit("beforeBlock", block);
  if (options.root !== undefined) await vm.stateManager.setStateRoot(options.root, true);
  await vm.evm.journal.checkpoint();
  let applied: AppliedTransactions;
  let requests: CLRequest<CLRequestType>[] | undefined;
  let requestsHash: Uint8Array | undefined;
  try {
    if (common.isActivatedEIP(4788)) await storeParentBeaconBlockRoot(vm, block);
    if (common.isActivatedEIP(2935)) await storeParentBlockHash(vm, block);
    applied = await applyTransactions(vm, block);
    if (common.isActivatedEIP(4895)) await vm.evm.journal.cleanup();
    if (block.common.isActivatedEIP(7685)) {
      requests = await blockRequests(vm, applied.results);
      requestsHash = genRequestsRoot(requests, common.customCrypto.sha256 ?? sha256);
    }
  } catch (error) {
    await vm.evm.journal.revert();
    throw error;
  }
  const stateRoot = await vm.stateManager.getStateRoot();
  // The empty list's root (KECCAK256_RLP) for a block without transactions, as runBlock's.
  const receiptsRoot = receiptsRootOf(applied.receipts, block.transactions, common);
  let reported = block;
  if (options.againstHeader === true) {
    await checkAgainstHeader(vm, block, applied, receiptsRoot, stateRoot, requestsHash);
  } else {
    const generated = {
      stateRoot,
      logsBloom: applied.bloom.bitvector,
      gasUsed: applied.gasUsed,
      receiptTrie: receiptsRoot,
      transactionsTrie: transactionsRootOf(block.transactions, block.common),
      requestsHash,
    };
    // runBlock's rebuild, for its header checks on the generated fields and for the event: the spread of
    // the block (an `executionView`) copies no transactions (docs/design/verifier-overheads.md).
    reported = createBlock({ ...block, header: { ...block.header, ...generated } }, { common });
  }
  await vm.evm.journal.commit();
  const result: RunBlockResult = {
    receipts: applied.receipts,
    logsBloom: applied.bloom.bitvector,
    results: applied.results,
    stateRoot,
    gasUsed: applied.gasUsed,
    receiptsRoot,
    preimages: new Map(),
    requestsHash,
    requests,
    blockLevelAccessList: vm.evm.blockLevelAccessList,
  };
  await vm._emit("afterBlock", { ...result, block: reported });
  return result;
}
