import type { Common } from "@ethereumjs/common";
import { RLP } from "@ethereumjs/rlp";
import {
  type TypedTransaction,
  createAccessList2930Tx,
  createEOACode7702Tx,
  createFeeMarket1559Tx,
  createLegacyTx,
} from "@ethereumjs/tx";
import { type PrefixedHexString, bigIntToBytes, bytesToHex, eoaCode7702SignAuthorization } from "@ethereumjs/util";
import { expect } from "chai";

import { transactionsRootOf } from "../../precompiles";
import { Rng } from "../../tools/executeFuzz";
import { STORE_AND_LOG_INITCODE, TestSigner } from "../../tools/l2Fixtures";
import { type BuiltBlock, L2TestChain } from "../../tools/l2TestChain";
import { type Verdict, verdictOf } from "../support/verifyVerdict";

/**
 * A forger's pass on EXECUTE's own block runner (`runVerifierBlock`, precompiles/blockRunner.ts)
 * against EthereumJS's `runBlock` (attack-review-s29.md): a seeded generator builds blocks that reach
 * execution (legacy, 2930, 1559 and 7702 transactions with edge values, odd authorizations, reverts,
 * out-of-gas runs, refunds, creations, calldata at the EIP-7623 floor), on chains whose block sits at
 * the EIP-2935 and EIP-4788 ring-buffer boundaries, then forges each: a header lying about every
 * generated or checked field, and bodies with a transaction over the block gas limit, replayed,
 * dropped, reordered or unfunded (the transactions root recomputed, so execution is reached).
 * Every input must get the same `verifyBlock` verdict and message both ways.
 */

const SEED = Number(process.env.BLOCK_RUNNER_FORGERY_SEED ?? 20261129);
const BLOCKS_PER_CHAIN = Number(process.env.BLOCK_RUNNER_FORGERY_BLOCKS ?? 4);
const CHAIN_ID = 907n;
const RING = 8191n;

const LOGGER = "0x00000000000000000000000000000000000010c0";
const REVERTER = "0x000000000000000000000000000000000000dead";
const LOOPER = "0x0000000000000000000000000000000000001009";
const CLEARER = "0x000000000000000000000000000000000000c1ea";
/** CALLDATACOPY(0, 0, size); LOG2(0, size, 0x01, CALLER). */
const LOGGER_CODE = "0x366000600037336001366000a200";
/** REVERT(0, 0). */
const REVERTER_CODE = "0x60006000fd";
/** An endless loop: runs out of gas. */
const LOOPER_CODE = "0x5b600056";
/** SSTORE(CALLDATALOAD(0), 0): clears a set slot (a refund). */
const CLEARER_CODE = "0x6000600035550000";

/** Header fields by position in the RLP list (Prague/Osaka). */
const FIELD = {
  coinbase: 2,
  stateRoot: 3,
  transactionsTrie: 4,
  receiptTrie: 5,
  logsBloom: 6,
  number: 8,
  gasLimit: 9,
  gasUsed: 10,
  timestamp: 11,
  baseFee: 15,
  withdrawalsRoot: 16,
  blobGasUsed: 17,
  excessBlobGas: 18,
  parentBeaconBlockRoot: 19,
  requestsHash: 20,
} as const;

function withHeaderField(block: Uint8Array, index: number, value: Uint8Array): Uint8Array {
  const values = RLP.decode(block) as unknown as Uint8Array[][];
  const header = [...values[0]];
  header[index] = value;
  return RLP.encode([header, ...values.slice(1)]);
}

/** `block` with `transactions` as its body and the transactions root that matches them. */
function withTransactions(block: Uint8Array, transactions: readonly TypedTransaction[], common: Common): Uint8Array {
  const values = RLP.decode(block) as unknown as Uint8Array[][];
  const header = [...values[0]];
  header[FIELD.transactionsTrie] = transactionsRootOf(transactions, common);
  return RLP.encode([header, transactions.map((tx) => tx.serialize()) as never, ...values.slice(2)]);
}

/** `n` as a 32-byte word in hex (a storage slot; calldata CALLDATALOAD reads whole). */
function slotWord(n: bigint): PrefixedHexString {
  return `0x${n.toString(16).padStart(64, "0")}`;
}

function big(n: bigint): Uint8Array {
  return n === 0n ? new Uint8Array(0) : bigIntToBytes(n);
}

interface Account {
  readonly signer: TestSigner;
  nonce: bigint;
}

/** Random transactions a builder accepts, of every type an L2 allows, with edge values. */
class TransactionGenerator {
  constructor(
    private readonly rng: Rng,
    private readonly common: Common,
    readonly accounts: Account[],
  ) {}

  private fees(): { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint } {
    const maxFeePerGas = this.rng.pick([10n ** 11n, 2n * 10n ** 9n]);
    return { maxFeePerGas, maxPriorityFeePerGas: this.rng.pick([0n, 1n, maxFeePerGas]) };
  }

  private target(): { to?: PrefixedHexString; data: PrefixedHexString; gasLimit: bigint; value: bigint } {
    const rng = this.rng;
    const value = rng.pick([0n, 1n, 10n ** 15n]);
    switch (rng.int(10)) {
      case 0:
        return {
          to: `0x${(0xf000 + rng.int(8)).toString(16).padStart(40, "0")}`,
          data: "0x",
          gasLimit: 21_000n,
          value,
        };
      case 1:
      case 9:
        return {
          to: LOGGER,
          data: bytesToHex(rng.bytes(rng.pick([0, 1, 31, 32, 600]))),
          gasLimit: 120_000n,
          value,
        };
      case 2:
        return { to: REVERTER, data: "0x", gasLimit: 50_000n, value };
      case 3:
        return { to: LOOPER, data: "0x", gasLimit: BigInt(rng.pick([21_100, 60_000, 300_000])), value: 0n };
      case 4:
        return {
          to: CLEARER,
          data: slotWord(BigInt(1 + rng.int(14))),
          gasLimit: 80_000n,
          value: 0n,
        };
      case 5:
        return { data: STORE_AND_LOG_INITCODE as PrefixedHexString, gasLimit: 200_000n, value };
      case 6:
        // A creation whose initcode reverts.
        return { data: REVERTER_CODE, gasLimit: 80_000n, value };
      case 7: {
        // Calldata of non-zero bytes at its EIP-7623 floor: 21,000 + 10 × 4 × length.
        const length = 1 + rng.int(200);
        const data = bytesToHex(Uint8Array.from({ length }, () => 1 + rng.int(255)));
        return { to: `0x${"00".repeat(19)}f1`, data, gasLimit: 21_000n + 40n * BigInt(length), value: 0n };
      }
      default:
        // A precompile (identity, sha256, the point evaluation's failure).
        return {
          to: rng.pick([
            "0x0000000000000000000000000000000000000004",
            "0x0000000000000000000000000000000000000002",
            "0x000000000000000000000000000000000000000a",
          ]),
          data: bytesToHex(rng.bytes(rng.int(64))),
          gasLimit: 100_000n,
          value,
        };
    }
  }

  transaction(): TypedTransaction {
    const rng = this.rng;
    const account = rng.pick(this.accounts);
    const { signer } = account;
    const common = this.common;
    const target = this.target();
    const nonce = account.nonce;
    const kind = rng.int(4);
    if (kind === 0) {
      account.nonce++;
      return createLegacyTx({ nonce, gasPrice: 10n ** 11n, ...target }, { common }).sign(signer.privateKey);
    }
    if (kind === 1) {
      account.nonce++;
      const accessList =
        rng.int(2) === 0
          ? []
          : [{ address: LOGGER as PrefixedHexString, storageKeys: [`0x${"00".repeat(31)}07` as PrefixedHexString] }];
      return createAccessList2930Tx(
        {
          chainId: common.chainId(),
          nonce,
          gasPrice: 10n ** 11n,
          accessList,
          ...target,
          gasLimit: target.gasLimit + 5000n,
        },
        { common },
      ).sign(signer.privateKey);
    }
    if (kind === 2 || target.to === undefined) {
      account.nonce++;
      return createFeeMarket1559Tx({ chainId: common.chainId(), nonce, ...this.fees(), ...target }, { common }).sign(
        signer.privateKey,
      );
    }
    return this.delegation(account, target);
  }

  /** An EIP-7702 transaction with one to three authorizations, some of them odd. */
  private delegation(
    sender: Account,
    target: { to?: PrefixedHexString; data: PrefixedHexString; gasLimit: bigint; value: bigint },
  ): TypedTransaction {
    const rng = this.rng;
    const chainId = this.common.chainId();
    const txNonce = sender.nonce++;
    const authorizations = Array.from({ length: 1 + rng.int(3) }, () => {
      const authority = rng.pick(this.accounts);
      // The authority's next nonce (the sender's own counts the transaction's nonce first).
      let nonce = authority.nonce;
      const odd = rng.int(6);
      if (odd === 0) nonce += 1n; // a nonce that does not match: skipped
      const authChainId = odd === 1 ? 0n : odd === 2 ? chainId + 1n : chainId; // any chain; another chain (skipped)
      const address = odd === 3 ? `0x${"00".repeat(20)}` : rng.pick([LOGGER, REVERTER, LOOPER, CLEARER]);
      if (odd !== 0 && odd !== 2) authority.nonce++;
      return eoaCode7702SignAuthorization(
        {
          chainId: `0x${authChainId.toString(16)}`,
          address: address as PrefixedHexString,
          nonce: `0x${nonce.toString(16)}`,
        },
        authority.signer.privateKey,
      );
    });
    const to = rng.int(2) === 0 ? target.to : rng.pick(this.accounts).signer.address.toString();
    return createEOACode7702Tx(
      {
        chainId,
        nonce: txNonce,
        ...this.fees(),
        to: to as PrefixedHexString,
        data: target.data,
        value: target.value,
        gasLimit: target.gasLimit + 60_000n * BigInt(authorizations.length),
        authorizationList: authorizations,
      },
      { common: this.common },
    ).sign(sender.signer.privateKey);
  }
}

/**
 * A chain at `number` (its genesis there: block number + 1 writes EIP-2935's slot `number % 8191`)
 * with the contracts above and four funded accounts, and one unfunded.
 */
async function chainAt(number: bigint): Promise<{ chain: L2TestChain; accounts: Account[]; poor: Account }> {
  const probe = await L2TestChain.create(CHAIN_ID, []);
  const signers = [1, 2, 3, 4, 5].map((seed) => TestSigner.fromSeed(300 + seed, probe.common));
  const slots = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [slotWord(BigInt(i + 1)), "0x01"]));
  const chain = await L2TestChain.create(
    CHAIN_ID,
    [
      ...signers.slice(0, 4).map((s) => ({ address: s.address.toString(), balance: 10n ** 21n })),
      { address: LOGGER, code: LOGGER_CODE },
      { address: REVERTER, code: REVERTER_CODE },
      { address: LOOPER, code: LOOPER_CODE },
      { address: CLEARER, code: CLEARER_CODE, storage: slots },
    ],
    { number },
  );
  const accounts = signers
    .slice(0, 4)
    .map((signer) => ({ signer: new TestSigner(signer.privateKey, chain.common), nonce: 0n }));
  return { chain, accounts, poor: { signer: new TestSigner(signers[4].privateKey, chain.common), nonce: 0n } };
}

/** The next timestamp above `after` at EIP-4788 ring index `index` (mod 8191). */
function timestampAtIndex(after: bigint, index: bigint): bigint {
  const base = after - (after % RING) + index;
  return base > after ? base : base + RING;
}

/** The forged variants of `built` (name, block bytes). */
function forgeries(
  built: BuiltBlock,
  rng: Rng,
  generator: TransactionGenerator,
  poor: Account,
  common: Common,
): [string, Uint8Array][] {
  const rlp = built.blockRlp;
  const header = RLP.decode(rlp) as unknown as Uint8Array[][];
  const h = header[0];
  const gasUsed = BigInt(bytesToHex(h[FIELD.gasUsed]) === "0x" ? 0 : bytesToHex(h[FIELD.gasUsed]));
  const gasLimit = BigInt(bytesToHex(h[FIELD.gasLimit]));
  const word = (): Uint8Array => rng.bytes(32);
  const bloom = Uint8Array.from(h[FIELD.logsBloom]);
  bloom[rng.int(256)] ^= 1 << rng.int(8);
  const txs = built.block.transactions;
  const out: [string, Uint8Array][] = [
    ["state root", withHeaderField(rlp, FIELD.stateRoot, word())],
    ["receipts root", withHeaderField(rlp, FIELD.receiptTrie, word())],
    ["logs bloom (one bit)", withHeaderField(rlp, FIELD.logsBloom, bloom)],
    ["logs bloom (empty)", withHeaderField(rlp, FIELD.logsBloom, new Uint8Array(256))],
    ["gas used + 1", withHeaderField(rlp, FIELD.gasUsed, big(gasUsed + 1n))],
    ["gas used - 1", withHeaderField(rlp, FIELD.gasUsed, big(gasUsed > 0n ? gasUsed - 1n : 0n))],
    ["gas used = gas limit", withHeaderField(rlp, FIELD.gasUsed, big(gasLimit))],
    ["gas used 0", withHeaderField(rlp, FIELD.gasUsed, big(0n))],
    ["transactions root", withHeaderField(rlp, FIELD.transactionsTrie, word())],
    ["requests hash", withHeaderField(rlp, FIELD.requestsHash, word())],
    ["blob gas used", withHeaderField(rlp, FIELD.blobGasUsed, big(131072n))],
    ["excess blob gas", withHeaderField(rlp, FIELD.excessBlobGas, big(1n))],
    ["withdrawals root", withHeaderField(rlp, FIELD.withdrawalsRoot, word())],
    ["parent beacon root", withHeaderField(rlp, FIELD.parentBeaconBlockRoot, word())],
    ["coinbase", withHeaderField(rlp, FIELD.coinbase, rng.bytes(20))],
    ["gas limit + 1", withHeaderField(rlp, FIELD.gasLimit, big(gasLimit + 1n))],
  ];
  // A transaction whose gas limit the block's remaining gas cannot hold.
  const heavy = createFeeMarket1559Tx(
    {
      chainId: common.chainId(),
      nonce: generator.accounts[0].nonce,
      maxFeePerGas: 10n ** 11n,
      maxPriorityFeePerGas: 0n,
      gasLimit: gasLimit - gasUsed + 1n,
      to: LOGGER,
    },
    { common },
  ).sign(generator.accounts[0].signer.privateKey);
  out.push(["a transaction over the block gas limit", withTransactions(rlp, [...txs, heavy], common)]);
  const unfunded = createFeeMarket1559Tx(
    {
      chainId: common.chainId(),
      nonce: poor.nonce,
      maxFeePerGas: 10n ** 11n,
      maxPriorityFeePerGas: 0n,
      gasLimit: 21_000n,
      to: LOGGER,
    },
    { common },
  ).sign(poor.signer.privateKey);
  out.push(["an unfunded sender", withTransactions(rlp, [...txs, unfunded], common)]);
  if (txs.length > 0) {
    out.push(["a replayed transaction", withTransactions(rlp, [...txs, txs[0]], common)]);
    out.push(["the first transaction dropped", withTransactions(rlp, txs.slice(1), common)]);
    out.push(["no transactions", withTransactions(rlp, [], common)]);
  }
  if (txs.length > 1) out.push(["reordered", withTransactions(rlp, [...txs].reverse(), common)]);
  return out;
}

describe("EXECUTE's block runner against runBlock: forged blocks of a seeded generator", function () {
  this.timeout(1_800_000);

  it("every forged header field and body: the same verdict and message both ways", async () => {
    const rng = new Rng(SEED);
    const seen = new Map<string, number>();
    let compared = 0;
    let withLogs = 0;
    // Genesis as parent; EIP-2935's ring at its last slot, its wrap, and one past it.
    for (const start of [0n, RING - 1n, RING, RING + 1n]) {
      const { chain, accounts, poor } = await chainAt(start);
      const generator = new TransactionGenerator(rng, chain.common, accounts);
      for (let b = 0; b < BLOCKS_PER_CHAIN; b++) {
        const count = b === 0 && start === RING ? 0 : rng.int(7);
        const txs = Array.from({ length: count }, () => generator.transaction());
        const parentTime = chain.latest.header.timestamp;
        // EIP-4788's ring: its last index, its first, or the next second.
        const timestamp = rng.pick([
          timestampAtIndex(parentTime, RING - 1n),
          timestampAtIndex(parentTime, 0n),
          parentTime + 1n,
        ]);
        const built = await chain.buildBlock(txs, { timestamp, parentBeaconBlockRoot: rng.bytes(32) });
        withLogs += built.txResults.filter((r) => r.receipt.logs.length > 0).length;
        const inputs: [string, Uint8Array][] = [
          ["as built", built.blockRlp],
          ...forgeries(built, rng, generator, poor, chain.common),
        ];
        for (const [name, block] of inputs) {
          const params = { chainId: CHAIN_ID, parentHeader: built.parentHeader, block, witness: built.witness };
          const own: Verdict = await verdictOf(params);
          const upstream: Verdict = await verdictOf({ ...params, ethereumJsRunBlock: true });
          const what = `chain at ${start}, block ${b} (${count} transactions): ${name}`;
          expect(own, what).to.deep.equal(upstream);
          if (name === "as built") expect(own.verdict, `${what}: ${own.detail}`).to.equal("valid");
          seen.set(own.verdict, (seen.get(own.verdict) ?? 0) + 1);
          compared++;
        }
      }
    }
    const summary = JSON.stringify([...seen]);
    // Not vacuous: refusals after execution (each generated field's mismatch) were compared, and
    // execution failures (the transaction over the gas limit, the unfunded sender).
    for (const verdict of [
      "valid",
      "StateRootMismatch",
      "ReceiptsRootMismatch",
      "LogsBloomMismatch",
      "GasUsedMismatch",
      "TransactionRejected",
    ])
      expect(seen.get(verdict) ?? 0, `${verdict} in ${summary}`).to.be.greaterThan(0);
    expect(compared).to.be.greaterThan(100);
    // Not vacuous: receipts with logs (so blooms that are not empty) were forged.
    expect(withLogs).to.be.greaterThan(2);
  });
});
