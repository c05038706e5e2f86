import { type Block, createBlockFromBytesArray } from "@ethereumjs/block";
import { type ChainConfig, Mainnet } from "@ethereumjs/common";
import { RLP } from "@ethereumjs/rlp";
import { bigIntToBytes, bigIntToUnpaddedBytes, bytesToBigInt, bytesToHex, setLengthLeft } from "@ethereumjs/util";
import type { RunBlockResult, VM } from "@ethereumjs/vm";
import { expect } from "chai";

import { encodeWitness, recordVerifierRun, transactionsRootOf } from "../../precompiles";
import { canRunWithoutRunBlock } from "../../precompiles/blockRunner";
import { keccak256 } from "../../precompiles/crypto";
import { EMPTY_REQUESTS_HASH } from "../../precompiles/headerRules";
import { decodeHeader, l2Common } from "../../precompiles/verifyBlock";
import { WitnessDB } from "../../precompiles/witness";
import { WitnessBlockchain } from "../../precompiles/witnessBlockchain";
import { type Corpus, type CorpusEntry, buildCorpus } from "../../tools/executeFuzz";
import { TestSigner } from "../../tools/l2Fixtures";
import { L2TestChain, type WitnessParts } from "../../tools/l2TestChain";
import { compareVerdictsWith, verdictOf } from "../support/verifyVerdict";

/**
 * EXECUTE's block run (`runVerifierBlock`, precompiles/blockRunner.ts: runBlock's steps with the receipts
 * and transactions roots built in one pass) against EthereumJS's `runBlock` with the options the verifier
 * used: for every corpus block (the broken system contracts' included) the same result (receipts, bloom,
 * gas, roots, requests, per-transaction results), the same error, the same `afterBlock` block and the
 * same pre-state reads; and the same `verifyBlock` verdict and message on the corpus, the fuzzer's cases
 * and hand-made blocks whose header lies about a generated field.
 */

const SEED = 20261129;
const CASES = Number(process.env.BLOCK_RUNNER_DIFFERENTIAL_CASES ?? 150);

/** Everything a run gives that anything reads, as plain values; or its error. */
interface RunView {
  readonly result?: unknown;
  readonly error?: string;
  readonly afterBlock?: string;
  readonly reads: string[];
  readonly ownRunner: boolean;
}

function resultView(result: RunBlockResult): unknown {
  return {
    stateRoot: bytesToHex(result.stateRoot),
    receiptsRoot: bytesToHex(result.receiptsRoot),
    logsBloom: bytesToHex(result.logsBloom),
    gasUsed: result.gasUsed,
    requestsHash: result.requestsHash === undefined ? undefined : bytesToHex(result.requestsHash),
    requests: result.requests?.map((r) => `${r.type}:${bytesToHex(r.data)}`),
    preimages: result.preimages?.size,
    blockLevelAccessList: result.blockLevelAccessList === undefined,
    receipts: result.receipts.map((r) =>
      JSON.stringify(r, (_, v) => (v instanceof Uint8Array ? bytesToHex(v) : typeof v === "bigint" ? `${v}n` : v)),
    ),
    results: result.results.map((r) => ({
      totalGasSpent: r.totalGasSpent,
      blockGasSpent: r.blockGasSpent,
      gasRefund: r.gasRefund,
      amountSpent: r.amountSpent,
      bloom: bytesToHex(r.bloom.bitvector),
      error: r.execResult.exceptionError?.error,
      returnValue: bytesToHex(r.execResult.returnValue),
      createdAddress: r.createdAddress?.toString(),
    })),
  };
}

/** A block's chain, parent and witness: a corpus entry's, or a block built here. */
type RunSource = Pick<CorpusEntry, "chainId" | "parentHeader"> & { readonly witness: WitnessParts };

/** One run of a block on a database holding `entry`'s witness, recorded: by runBlock or by the verifier's runner. */
async function runOf(
  entry: RunSource,
  blockRlp: Uint8Array,
  ethereumJsRunBlock: boolean,
  againstHeader = false,
): Promise<RunView> {
  const common = l2Common(entry.chainId);
  const parent = decodeHeader(entry.parentHeader, common, "parent header");
  const block: Block = createBlockFromBytesArray(RLP.decode(blockRlp) as never, {
    common,
    skipConsensusFormatValidation: true,
  });
  const db = new WitnessDB(entry.witness, keccak256);
  let afterBlock: string | undefined;
  let ownRunner = false;
  const prepareVm = (vm: VM): void => {
    ownRunner = canRunWithoutRunBlock(vm, block);
    vm.events.on("afterBlock", (event: { block: Block }, resolve?: (result?: unknown) => void) => {
      afterBlock = bytesToHex(event.block.header.serialize());
      resolve?.();
    });
  };
  const params = {
    common,
    db,
    preStateRoot: parent.stateRoot,
    block,
    blockchain: WitnessBlockchain.fromHeaders(parent, entry.witness.headers),
    prepareVm,
    ethereumJsRunBlock,
    againstHeader,
  };
  try {
    const run = await recordVerifierRun(params);
    return { result: resultView(run.result), afterBlock, reads: readsOf(run.recording), ownRunner };
  } catch (error) {
    return { error: (error as Error).message, afterBlock, reads: [], ownRunner };
  }
}

function readsOf(recording: {
  toWitness: () => { state: readonly Uint8Array[]; codes: readonly Uint8Array[] };
}): string[] {
  const { state, codes } = recording.toWitness();
  return [...state, ...codes].map(bytesToHex).sort();
}

/** `block` with header field `index` replaced by `value`. */
function withHeaderField(block: Uint8Array, index: number, value: Uint8Array): Uint8Array {
  const values = RLP.decode(block) as unknown as Uint8Array[][];
  const header = [...values[0]];
  header[index] = value;
  return RLP.encode([header, ...values.slice(1)]);
}

const HEADER = {
  stateRoot: 3,
  transactionsTrie: 4,
  receiptTrie: 5,
  logsBloom: 6,
  gasUsed: 10,
  requestsHash: 20,
} as const;

/** EIP-6110's `DepositEvent` topic. */
const DEPOSIT_TOPIC = "649bbc62d0e31342afea4e5cd82d4049e7e1ee912fc0889aa790803be39038c5";
/** Code that logs its calldata under the deposit topic: CALLDATACOPY to memory 0, LOG1(0, CALLDATASIZE, topic). */
const DEPOSIT_EMITTER = `0x3660006000377f${DEPOSIT_TOPIC}366000a100`;

/**
 * A deposit log's data in the ABI layout EIP-6110 reads (576 bytes): five offsets, then each field's
 * size word and its bytes padded to words; `headShift` moves the first offset (another layout).
 */
function depositLogData(headShift = 0n): string {
  const word = (n: bigint): Uint8Array => setLengthLeft(bigIntToBytes(n), 32);
  const fields: [number, number][] = [
    [48, 0x11],
    [32, 0x22],
    [8, 0x33],
    [96, 0x44],
    [8, 0x55],
  ];
  const heads = [160n + headShift, 256n, 320n, 384n, 512n].map(word);
  const tails = fields.map(([size, fill]) => [
    word(BigInt(size)),
    new Uint8Array(Math.ceil(size / 32) * 32).fill(fill, 0, size),
  ]);
  const bytes = new Uint8Array([...heads, ...tails.flat()].flatMap((part) => [...part]));
  return bytesToHex(bytes);
}

describe("EXECUTE's block runner against EthereumJS's runBlock", function () {
  this.timeout(900_000);
  let corpus: Corpus;

  before(async () => {
    corpus = await buildCorpus();
  });

  it("every corpus block, broken system contracts included: the same result, error, afterBlock header and reads", async () => {
    let compared = 0;
    let failed = 0;
    let withTransactions = 0;
    for (const entry of [...corpus.entries, ...corpus.brokenSystemContracts]) {
      const own = await runOf(entry, entry.block, false);
      const upstream = await runOf(entry, entry.block, true);
      // Not vacuous: the verifier's runner is the one that ran (the fork is one it covers).
      expect(own.ownRunner, entry.name).to.equal(true);
      expect({ ...own, ownRunner: true }, entry.name).to.deep.equal({ ...upstream, ownRunner: true });
      compared++;
      if (own.error !== undefined) failed++;
      else expect(own.reads.length, entry.name).to.be.greaterThan(0);
      const { receipts } = (own.result ?? { receipts: [] }) as { receipts: string[] };
      if (receipts.length > 1) withTransactions++;
    }
    expect(compared).to.be.greaterThan(3);
    // Not vacuous: runs of blocks of several transactions gave results that were compared.
    expect(withTransactions).to.be.greaterThan(1);
    // The broken system contracts make EthereumJS's run itself fail or produce requests.
    expect(corpus.brokenSystemContracts.length).to.be.greaterThan(0);
    expect(failed).to.be.lessThan(compared);
  });

  it("against the header (the node's capture): every corpus block and headers that lie, the same result, error, afterBlock header and reads", async () => {
    let compared = 0;
    let refused = 0;
    const other = new Uint8Array(32).fill(0xab);
    const bloom = new Uint8Array(256);
    bloom[3] = 1;
    for (const entry of [...corpus.entries, ...corpus.brokenSystemContracts]) {
      const values = RLP.decode(entry.block) as unknown as Uint8Array[][];
      const gasUsed = bytesToBigInt(values[0][HEADER.gasUsed]);
      const otherGasUsed = bigIntToUnpaddedBytes(gasUsed > 0n ? gasUsed - 1n : 1n);
      const blocks: Record<string, Uint8Array> = {
        block: entry.block,
        "receipts root": withHeaderField(entry.block, HEADER.receiptTrie, other),
        bloom: withHeaderField(entry.block, HEADER.logsBloom, bloom),
        "gas used": withHeaderField(entry.block, HEADER.gasUsed, otherGasUsed),
        "state root": withHeaderField(entry.block, HEADER.stateRoot, other),
        "requests hash": withHeaderField(entry.block, HEADER.requestsHash, other),
      };
      for (const [name, block] of Object.entries(blocks)) {
        const own = await runOf(entry, block, false, true);
        const upstream = await runOf(entry, block, true, true);
        expect(own.ownRunner, `${entry.name}, ${name}`).to.equal(true);
        expect({ ...own, ownRunner: true }, `${entry.name}, ${name}`).to.deep.equal({ ...upstream, ownRunner: true });
        compared++;
        if (own.error !== undefined) refused++;
      }
    }
    // Not vacuous: each lie is refused (5 per entry at least), and true headers are accepted.
    expect(refused).to.be.greaterThan((compared * 5) / 6 - 1);
    expect(refused).to.be.lessThan(compared);
  });

  it("blocks whose header lies about a generated field: the same verdict and message", async () => {
    const entry = corpus.entries.find((e) => (RLP.decode(e.block) as unknown as unknown[][])[1].length > 1);
    if (entry === undefined) throw new Error("the corpus has no block with two transactions");
    const witness = encodeWitness(entry.witness);
    const other = new Uint8Array(32).fill(0xab);
    const values = RLP.decode(entry.block) as unknown as Uint8Array[][];
    const gasUsed = values[0][HEADER.gasUsed];
    const bloom = new Uint8Array(256);
    bloom[7] = 1;
    const cases: Record<string, [Uint8Array, string]> = {
      "wrong receipts root": [withHeaderField(entry.block, HEADER.receiptTrie, other), "ReceiptsRootMismatch"],
      "wrong logs bloom": [withHeaderField(entry.block, HEADER.logsBloom, bloom), "LogsBloomMismatch"],
      "wrong gas used": [
        withHeaderField(
          entry.block,
          HEADER.gasUsed,
          Uint8Array.of(...gasUsed.slice(0, -1), gasUsed[gasUsed.length - 1] ^ 1),
        ),
        "GasUsedMismatch",
      ],
      "wrong transactions root": [withHeaderField(entry.block, HEADER.transactionsTrie, other), "InvalidTransactions"],
      "wrong state root": [withHeaderField(entry.block, HEADER.stateRoot, other), "StateRootMismatch"],
      "wrong state and receipts roots": [
        withHeaderField(withHeaderField(entry.block, HEADER.stateRoot, other), HEADER.receiptTrie, other),
        "StateRootMismatch",
      ],
    };
    for (const [name, [block, expected]] of Object.entries(cases)) {
      const params = { chainId: entry.chainId, parentHeader: entry.parentHeader, block, witness };
      const own = await verdictOf(params);
      const upstream = await verdictOf({ ...params, ethereumJsRunBlock: true });
      expect(own, name).to.deep.equal(upstream);
      expect(own.verdict, `${name}: ${own.detail}`).to.equal(expected);
    }
    // The unmodified block is valid both ways.
    const valid = { chainId: entry.chainId, parentHeader: entry.parentHeader, block: entry.block, witness };
    expect((await verdictOf(valid)).verdict).to.equal("valid");
    expect(await verdictOf(valid)).to.deep.equal(await verdictOf({ ...valid, ethereumJsRunBlock: true }));
  });

  it("deposit logs (EIP-6110): the same requests, verdict and layout error", async () => {
    const chainId = 906n;
    const common = l2Common(chainId);
    const chainParams = (common as unknown as { _chainParams: ChainConfig })._chainParams;
    const deposit = chainParams.depositContractAddress ?? Mainnet.depositContractAddress ?? "";
    const sender = TestSigner.fromSeed(61, common);
    const chain = await L2TestChain.create(chainId, [
      { address: sender.address.toString(), balance: 10n ** 20n },
      { address: deposit, code: DEPOSIT_EMITTER },
    ]);
    const built = await chain.buildBlock([sender.tx({ to: deposit, data: depositLogData(), gasLimit: 200_000n })], {
      discard: true,
    });
    const source: RunSource = { chainId, parentHeader: built.parentHeader, witness: built.witnessParts };
    const own = await runOf(source, built.blockRlp, false);
    const upstream = await runOf(source, built.blockRlp, true);
    expect(own).to.deep.equal(upstream);
    expect(own.error, own.error).to.equal(undefined);
    // Not vacuous: the log was read as a deposit request (type 0, 192 bytes), and the verifier refuses it.
    const requests = (own.result as { requests: string[] }).requests;
    expect(requests[0]).to.match(/^0:0x(11){48}(22){32}(33){8}(44){96}(55){8}$/);
    // The header claims no requests (headerRules refuses any other claim before execution): the run's
    // deposit request is what refuses the block.
    const noRequests = withHeaderField(built.blockRlp, HEADER.requestsHash, EMPTY_REQUESTS_HASH);
    const params = { chainId, parentHeader: built.parentHeader, block: noRequests, witness: built.witness };
    const verdict = await verdictOf(params);
    expect(verdict).to.deep.equal(await verdictOf({ ...params, ethereumJsRunBlock: true }));
    expect(verdict.verdict).to.equal("UnsupportedContent");

    // The same transaction with another layout (EthereumJS's builder refuses to build it): the block's
    // transaction replaced, its transactions root with it.
    const replacement = TestSigner.fromSeed(61, common).tx({
      to: deposit,
      data: depositLogData(1n),
      gasLimit: 200_000n,
    });
    const values = RLP.decode(noRequests) as unknown as Uint8Array[][];
    const badLayout = withHeaderField(
      RLP.encode([values[0], [replacement.serialize()], ...values.slice(2)]),
      HEADER.transactionsTrie,
      transactionsRootOf([replacement], common),
    );
    const ownBad = await runOf(source, badLayout, false);
    expect(ownBad).to.deep.equal(await runOf(source, badLayout, true));
    expect(ownBad.error).to.match(/^invalid deposit log: unsupported data layout/);
    const badParams = { ...params, block: badLayout };
    const badVerdict = await verdictOf(badParams);
    expect(badVerdict).to.deep.equal(await verdictOf({ ...badParams, ethereumJsRunBlock: true }));
    expect(badVerdict.verdict, badVerdict.detail).to.equal("TransactionRejected");
  });

  it(`the corpus and ${CASES} mutation fuzz cases: the same verdict and message from verifyBlock`, async () => {
    const entries = [...corpus.entries, ...corpus.brokenSystemContracts];
    const seen = await compareVerdictsWith({ ethereumJsRunBlock: true }, corpus, entries, SEED, CASES);
    // Not vacuous: valid blocks and refusals after execution were compared.
    expect(seen.get("valid") ?? 0, JSON.stringify([...seen])).to.be.greaterThan(0);
    expect(seen.size, JSON.stringify([...seen])).to.be.greaterThanOrEqual(4);
  });
});
