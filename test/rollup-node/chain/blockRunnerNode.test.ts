import { type HeaderData, createBlockFromRLP } from "@ethereumjs/block";
import type { TypedTransaction } from "@ethereumjs/tx";
import { bytesToHex, hexToBytes } from "@ethereumjs/util";
import type { VM } from "@ethereumjs/vm";
import { expect } from "chai";

import { encodeWitness } from "../../../precompiles";
import { canRunWithoutRunBlock } from "../../../precompiles/blockRunner";
import { Chain } from "../../../rollup-node/chain/chain";
import type { GenesisAccount } from "../../../rollup-node/chain/genesis";
import type { MineOptions, MinedBlock } from "../../../rollup-node/chain/types";
import { l2Genesis } from "../../../rollup-node/l2/genesis";
import { Rng } from "../../../tools/executeFuzz";
import {
  BLOCKHASH_ADDRESS,
  SETTER_ADDRESS,
  STORE_ADDRESS,
  STORE_AND_LOG_INITCODE,
  TestSigner,
  randomWritingTx,
  slotWritesCall,
  storeCall,
  tamperBlock,
  word,
} from "../../../tools/l2Fixtures";
import { recaptureWitness } from "../../support/recaptureWitness";
import { writingAlloc } from "../../support/writingAlloc";

/**
 * The node's block build and its witness capture through EXECUTE's block runner (`runBlockWith` →
 * `runVerifierBlock`, precompiles/blockRunner.ts) against the same chain on EthereumJS's `runBlock`
 * (`ethereumJsRunBlock`): the same blocks (hash), receipts, skipped transactions and reasons, and
 * witnesses on random blocks, blocks with transactions that fail in execution or do not fit, and the
 * same refusal (error message) of a capture whose header lies about a field the run compares.
 */

const CHAIN_ID = 927n;
const GENESIS_TIME = 1_800_000_000n;

/** What anything reads of a mined block: hash, header, receipts, skips and witness. */
function view(mined: MinedBlock): unknown {
  const { block, receipts } = mined.record;
  return {
    hash: bytesToHex(block.hash()),
    header: bytesToHex(block.header.serialize()),
    receipts: JSON.stringify(receipts, (_, v) =>
      v instanceof Uint8Array ? bytesToHex(v) : typeof v === "bigint" ? `${v}n` : v,
    ),
    skipped: mined.skipped.map((s) => `${bytesToHex(s.tx.hash())} ${s.reason} ${s.retryable}`),
    witness: bytesToHex(mined.encodedWitness as Uint8Array),
    requests: mined.requests?.map(bytesToHex),
  };
}

interface Chains {
  readonly own: Chain;
  readonly upstream: Chain;
  readonly signers: TestSigner[];
  readonly poor: TestSigner;
}

async function chains(): Promise<Chains> {
  const probe = await Chain.create({
    genesis: l2Genesis({ chainId: CHAIN_ID, timestamp: GENESIS_TIME, bridgeCode: "0x00" }),
    captureThread: "main",
  });
  const signers = [0, 1, 2, 3, 4, 5].map((seed) => TestSigner.fromSeed(80 + seed, probe.common));
  const poor = TestSigner.fromSeed(99, probe.common);
  const alloc: Record<string, GenesisAccount> = {
    ...writingAlloc(signers),
    // Enough for one transfer of 6e16 and its gas, not for a second.
    [poor.address.toString()]: { balance: 10n ** 17n },
  };
  const genesis = l2Genesis({ chainId: CHAIN_ID, timestamp: GENESIS_TIME, bridgeCode: "0x00", alloc });
  const [own, upstream] = await Promise.all([
    Chain.create({ genesis, captureThread: "main" }),
    Chain.create({ genesis, captureThread: "main", ethereumJsRunBlock: true }),
  ]);
  return { own, upstream, signers, poor };
}

/** The chain's VM (a private field): which runner a block gets is decided on it. */
function vmOf(chain: Chain): VM {
  return (chain as unknown as { vm: VM }).vm;
}

/** Mines `txs` on both chains at one timestamp; expects the same block, receipts, skips and witness. */
async function mineBoth(
  c: Chains,
  txs: TypedTransaction[],
  label: string,
  options: MineOptions = {},
): Promise<MinedBlock> {
  const timestamp = c.own.head.header.timestamp + 12n;
  const opts: MineOptions = { ...options, captureWitness: true, timestamp };
  const own = await c.own.mineBlock(txs, opts);
  const upstream = await c.upstream.mineBlock(txs, opts);
  expect(view(own), label).to.deep.equal(view(upstream));
  // Not vacuous: the block runner, not runBlock, built and captured it on `own`.
  expect(canRunWithoutRunBlock(vmOf(c.own), own.record.block), label).to.equal(true);
  return own;
}

describe("chain: the block build and the witness capture on EXECUTE's block runner against runBlock", function () {
  this.timeout(600_000);

  it("random transfer, storage, logging, creation and BLOCKHASH blocks: the same blocks, receipts, skips and witnesses", async () => {
    const c = await chains();
    const rng = new Rng(20261130);
    const more = [
      (signer: TestSigner) => signer.tx({ data: STORE_AND_LOG_INITCODE, gasLimit: 200_000n }),
      (signer: TestSigner) =>
        signer.tx({ to: BLOCKHASH_ADDRESS, data: `0x${word(BigInt(rng.int(Number(c.own.headNumber) + 1)))}` }),
    ];
    let transactions = 0;
    for (let n = 1; n <= 12; n++) {
      const txs = Array.from({ length: 1 + rng.int(20) }, () => randomWritingTx(rng, c.signers, 300, more));
      transactions += (await mineBoth(c, txs, `block ${n}`)).record.block.transactions.length;
    }
    // An empty block (EIP-4788/2935 writes only).
    await mineBoth(c, [], "empty block");
    expect(transactions).to.be.greaterThan(30);
  });

  it("transactions that fail in execution or do not fit: the same skips, reasons and blocks", async () => {
    const c = await chains();
    const [a, b] = c.signers as [TestSigner, TestSigner];
    // The second transfer passes the pre-selection (one balance check per sender) and fails in runTx.
    const broke = await mineBoth(
      c,
      [
        a.tx({ to: STORE_ADDRESS, data: storeCall(1, 2) }),
        c.poor.tx({ to: b.address.toString(), value: 6n * 10n ** 16n, gasLimit: 21_000n }),
        c.poor.tx({ to: b.address.toString(), value: 6n * 10n ** 16n, gasLimit: 21_000n }),
        b.tx({ to: a.address.toString(), value: 1n, gasLimit: 21_000n }),
      ],
      "a transfer beyond the sender's balance",
    );
    expect(broke.skipped.map((s) => s.retryable)).to.deep.equal([false]);
    // A first transaction that uses more than half the block's gas (100 new storage slots), then one
    // whose gas limit exceeds what is left: runTx's block gas check ("tx has a higher gas limit than
    // the block") ends the block, and it is kept for a later one.
    const writes = Array.from({ length: 100 }, (_, i) => [BigInt(1000 + i), BigInt(i + 1)] as const);
    const full = await mineBoth(
      c,
      [
        a.tx({ to: SETTER_ADDRESS, data: slotWritesCall(writes), gasLimit: 3_000_000n }),
        b.tx({ to: a.address.toString(), gasLimit: c.own.head.header.gasLimit / 2n }),
      ],
      "a transaction that does not fit",
    );
    expect(full.record.block.header.gasUsed).to.be.greaterThan(c.own.head.header.gasLimit / 2n);
    expect(full.skipped.map((s) => `${s.reason} ${s.retryable}`)).to.deep.equal(["block gas limit reached true"]);
    expect(full.record.block.transactions.length).to.equal(1);
  });

  it("a capture against a header that lies about a compared field: the same refusal and message", async () => {
    const c = await chains();
    const [a] = c.signers as [TestSigner];
    const mined = await mineBoth(
      c,
      [a.tx({ to: STORE_ADDRESS, data: storeCall(3, 4), gasLimit: 100_000n })],
      "logging block",
    );
    const { block } = mined.record;
    const bloom = new Uint8Array(256);
    bloom[0] = 1;
    const lies: Record<string, Partial<HeaderData>> = {
      "receipts root": { receiptTrie: hexToBytes(`0x${word(1)}`) },
      bloom: { logsBloom: bloom },
      "gas used": { gasUsed: block.header.gasUsed + 1n },
      "state root": { stateRoot: hexToBytes(`0x${word(5)}`) },
      "requests hash": { requestsHash: hexToBytes(`0x${word(6)}`) },
      "receipts root and bloom": { receiptTrie: hexToBytes(`0x${word(1)}`), logsBloom: bloom },
    };
    const captureBoth = async (header: Partial<HeaderData>): Promise<[string, string]> => {
      const tampered = createBlockFromRLP(tamperBlock(block, header), { common: block.common });
      const outcome = (ethereumJsRunBlock: boolean): Promise<string> =>
        recaptureWitness(c.own, mined, { block: tampered, ethereumJsRunBlock }).then(
          (witness) => bytesToHex(encodeWitness(witness)),
          (error: unknown) => `error: ${(error as Error).message}`,
        );
      return [await outcome(false), await outcome(true)];
    };
    // The true header: both give mineBlock's witness.
    const [ownTrue, upstreamTrue] = await captureBoth({});
    expect(ownTrue).to.equal(bytesToHex(mined.encodedWitness as Uint8Array));
    expect(upstreamTrue).to.equal(ownTrue);
    for (const [name, header] of Object.entries(lies)) {
      const [own, upstream] = await captureBoth(header);
      expect(own, name).to.equal(upstream);
      expect(own, name).to.match(/^error: re-execution of block \d+ does not give the block: invalid /);
    }
    // The chain is unchanged by the refused captures: the next block is still the same on both.
    await mineBoth(c, [a.tx({ to: STORE_ADDRESS, data: storeCall(3, 5), gasLimit: 100_000n })], "after");
  });

  it("a capture against a header that lies about a field the run does not compare, or lacks one: the same outcome", async () => {
    // attack-review-s29.md, second pass: `againstHeader` must do what runBlock(generate: false) does for
    // every header field, not only the five it compares (those that change execution give a mismatch,
    // the others are accepted), and a header without a requests hash throws the same library error.
    const c = await chains();
    const [a] = c.signers as [TestSigner];
    const mined = await mineBoth(
      c,
      [a.tx({ to: STORE_ADDRESS, data: storeCall(3, 6), gasLimit: 100_000n })],
      "logging block",
    );
    const { header } = mined.record.block;
    const lies: Record<string, Partial<HeaderData>> = {
      "transactions root": { transactionsTrie: hexToBytes(`0x${word(7)}`) },
      "extra data": { extraData: hexToBytes("0x01") },
      timestamp: { timestamp: header.timestamp + 1n },
      coinbase: { coinbase: `0x${"c0".repeat(20)}` },
      "base fee": { baseFeePerGas: (header.baseFeePerGas ?? 0n) + 1n },
      "gas limit": { gasLimit: header.gasLimit + 1n },
      "gas limit below gas used": { gasLimit: header.gasUsed - 1n },
      "mix hash (PREVRANDAO)": { mixHash: hexToBytes(`0x${word(8)}`) },
      "parent beacon root": { parentBeaconBlockRoot: hexToBytes(`0x${word(9)}`) },
      "uncle hash": { uncleHash: hexToBytes(`0x${word(10)}`) },
      "excess blob gas": { excessBlobGas: (header.excessBlobGas ?? 0n) + 131_072n },
      number: { number: header.number + 1n },
    };
    // The tampered block is made inside: a header its own constructor refuses is an outcome too.
    const outcome = (lie: Partial<HeaderData>, ethereumJsRunBlock: boolean): Promise<string> =>
      Promise.resolve()
        .then(() => {
          const { block } = mined.record;
          const tampered = createBlockFromRLP(tamperBlock(block, lie), { common: block.common });
          return recaptureWitness(c.own, mined, { block: tampered, ethereumJsRunBlock });
        })
        .then(
          (witness) => `witness ${bytesToHex(encodeWitness(witness))}`,
          (error: unknown) => `error: ${(error as Error).message}`,
        );
    const outcomes = new Set<string>();
    for (const [name, lie] of Object.entries(lies)) {
      const own = await outcome(lie, false);
      expect(own, name).to.equal(await outcome(lie, true));
      outcomes.add(own.startsWith("witness") ? "accepted" : own.slice(0, 60));
    }
    // Not vacuous: some lies change execution (refused), others do not (accepted).
    expect(
      [...outcomes].some((o) => o === "accepted"),
      [...outcomes].join("; "),
    ).to.equal(true);
    expect(
      [...outcomes].some((o) => o.startsWith("error: re-execution")),
      [...outcomes].join("; "),
    ).to.equal(true);
    // No requests hash (the Prague field cut): the same outcome both ways.
    const cut = { requestsHash: undefined } as Partial<HeaderData>;
    expect(await outcome(cut, false)).to.equal(await outcome(cut, true));
  });
});
