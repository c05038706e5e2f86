import { createFeeMarket1559Tx } from "@ethereumjs/tx";
import { bytesToHex, hexToBytes } from "@ethereumjs/util";
import { expect } from "chai";
import { Interface } from "ethers";

import { type L1Message, hashL1Message, messageProof, messageRoot } from "../../../protocol/messages";
import { Chain } from "../../../rollup-node/chain/chain";
import type { GenesisConfig } from "../../../rollup-node/chain/genesis";
import { advanceBudgetExcess, advanceWitnessCapacity, calldataGas } from "../../../rollup-node/l2/advanceBudget";
import { maxCommittedBytes, proposalExcess } from "../../../rollup-node/bridge/challengeBound";
import {
  DEFAULT_L2_GAS_LIMIT,
  L2_BRIDGE_ADDRESS,
  l2Genesis,
  readL2BridgeRuntimeCode,
} from "../../../rollup-node/l2/genesis";
import { MemoryLogger } from "../../../rollup-node/logger";
import type { Sequencer } from "../../../rollup-node/l2/sequencer";
import type { AnchorProvider, ProducedBlock } from "../../../rollup-node/l2/types";
import { GENESIS_TIME, L2_CHAIN_ID, TempDirs, common, openSequencer, signers } from "./l2Support";

/** A contract whose code alone is more witness than one `advance` carries (STOP, then filler). */
const HUGE = "0x00000000000000000000000000000000000b16c0";
const HUGE_CODE_BYTES = 490_000;
const TO = "0x00000000000000000000000000000000000000cc";
const bridgeAbi = new Interface([
  "function relayMessage((uint256 nonce, address from, address to, uint256 value, uint256 gasLimit, bytes data) message, uint64 anchorTimestamp, uint256 index, bytes32[] proof)",
  "function deferMessage((uint256 nonce, address from, address to, uint256 value, uint256 gasLimit, bytes data) message, uint64 anchorTimestamp, uint256 index, bytes32[] proof)",
]);

function genesisWithHugeContract(): GenesisConfig {
  const alloc: Record<string, { balance?: bigint; code?: `0x${string}` }> = {};
  for (const signer of signers(5)) alloc[signer.address.toString()] = { balance: 10n ** 22n };
  alloc[HUGE] = { code: `0x00${"5b".repeat(HUGE_CODE_BYTES - 1)}` };
  return l2Genesis({ chainId: L2_CHAIN_ID, timestamp: GENESIS_TIME, bridgeCode: readL2BridgeRuntimeCode(), alloc });
}

function fitsOneAdvance(produced: ProducedBlock): string | undefined {
  return advanceBudgetExcess(
    {
      parentHeader: produced.parentHeader,
      block: produced.blockRlp,
      witness: produced.encodedWitness,
      consumedMessages: produced.consumedMessages,
    },
    common,
  )?.reason;
}

describe("L2 block budget: every block fits one L1 advance", function () {
  this.timeout(120_000);
  const dirs = new TempDirs();
  const open: Sequencer[] = [];

  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
  });
  after(() => dirs.removeAll());

  it("prices calldata as @ethereumjs/tx does: intrinsic gas and the EIP-7623 floor", () => {
    for (const data of [
      new Uint8Array(0),
      new Uint8Array(300),
      Uint8Array.from({ length: 5_000 }, (_, i) => (i % 3 === 0 ? 0 : i % 251)),
      new Uint8Array(70_000).fill(0xff),
    ]) {
      const tx = createFeeMarket1559Tx({ data, to: `0x${"22".repeat(20)}`, gasLimit: 2n ** 24n }, { common });
      expect(calldataGas(data, common)).to.deep.equal({
        intrinsic: tx.getIntrinsicGas(),
        minimum: tx.getMinimumGasLimit(),
      });
    }
  });

  it("derives a witness capacity from the 2^24 L1 gas cap, EXECUTE's schedule and the EIP-7623 calldata floor", () => {
    const capacity = advanceWitnessCapacity(common);
    // Under 2^24 the calldata floor alone (40 gas per non-zero byte) would leave ≈ 419 KB; execution
    // (16 gas per byte twice, memory) binds a little earlier.
    expect(capacity)
      .to.be.greaterThan(300_000)
      .and.lessThan(Math.floor(2 ** 24 / 40));
    const parentHeader = new Uint8Array(620).fill(0xff);
    const block = new Uint8Array(1_000).fill(0xff);
    expect(
      advanceBudgetExcess(
        { parentHeader, block, witness: new Uint8Array(capacity).fill(0xff), consumedMessages: 0 },
        common,
      ),
    ).to.equal(undefined);
    expect(
      advanceBudgetExcess(
        { parentHeader, block, witness: new Uint8Array(capacity + 1).fill(0xff), consumedMessages: 0 },
        common,
      )?.reason,
    ).to.be.a("string");
  });

  it("defers a relay whose L2 call reads more than one advance carries: no waiver for required relays, and the message is still consumed", async () => {
    const logger = new MemoryLogger();
    const message: L1Message = {
      nonce: 0n,
      from: "0x00000000000000000000000000000000000001a1",
      to: HUGE,
      value: 0n,
      gasLimit: 50_000n,
      data: "0x",
    };
    const anchorProvider: AnchorProvider = async ({ timestamp, nextMessageNonce }) => {
      const leaves = [hashL1Message({ ...message, nonce: nextMessageNonce })];
      // The relay and its deferral take the same nonce: the block carries one or the other.
      const call = (method: "relayMessage" | "deferMessage") =>
        signers(1)[0]!.tx({
          to: L2_BRIDGE_ADDRESS,
          gasLimit: 300_000n,
          data: bridgeAbi.encodeFunctionData(method, [
            { ...message, nonce: nextMessageNonce },
            timestamp,
            0,
            messageProof(leaves, 0),
          ]),
        });
      return {
        root: hexToBytes(messageRoot(leaves) as `0x${string}`),
        consumedMessages: 1,
        firstMessageNonce: nextMessageNonce,
        transactions: [call("relayMessage")],
        deferrals: [call("deferMessage")],
      };
    };
    const sequencer = await openSequencer(dirs.make(), { genesis: genesisWithHugeContract(), logger, anchorProvider });
    open.push(sequencer);
    const produced = await sequencer.produceBlock();
    expect(fitsOneAdvance(produced)).to.equal(undefined, "the block must fit one advance");
    expect(produced.consumedMessages).to.equal(1);
    expect(produced.block.transactions).to.have.length(1);
    expect(bridgeAbi.parseTransaction({ data: bytesToHex(produced.block.transactions[0]!.data) })?.name).to.equal(
      "deferMessage",
    );
    expect(
      logger.lines.some((l) => l.level === "warn" && l.message.includes("L1 gas") && l.message.includes("deferring")),
    ).to.equal(true);
  });

  it("drops a transaction that alone exceeds the block budget, with its reason in the log, and includes the later ones", async () => {
    const logger = new MemoryLogger();
    const [attacker, bob, carol] = signers(3);
    const sequencer = await openSequencer(dirs.make(), { genesis: genesisWithHugeContract(), logger });
    open.push(sequencer);
    const oversized = attacker!.tx({ to: HUGE, gasLimit: 50_000n });
    const later = [
      bob!.tx({ to: TO, value: 1n, gasLimit: 21_000n }),
      carol!.tx({ to: TO, value: 2n, gasLimit: 21_000n }),
    ];
    await sequencer.submitTransaction(oversized);
    for (const tx of later) await sequencer.submitTransaction(tx);

    const produced = await sequencer.produceBlock();
    expect(fitsOneAdvance(produced)).to.equal(undefined);
    expect(produced.block.transactions.map((tx) => bytesToHex(tx.hash()))).to.deep.equal(
      later.map((tx) => bytesToHex(tx.hash())),
    );
    expect(sequencer.pendingTransaction(oversized.hash())).to.equal(
      undefined,
      "the oversized transaction is dropped, not kept as retryable",
    );
    const warning = logger.lines.find((l) => l.level === "warn" && l.message.includes(bytesToHex(oversized.hash())));
    expect(warning?.message).to.include("exceeds the block budget");
    expect(sequencer.pendingTransactions()).to.have.length(0);
  });

  it("in optimistic mode (proposable) every block also passes OptimisticRollup.propose's joint rule: a transaction one advance carries but whose proposal would not be challengeable at the header's gas limit is dropped", async () => {
    const gasLimit = DEFAULT_L2_GAS_LIMIT;
    // Code just over what a proposal may commit at the default gas limit, well within what an
    // advance charged for 50k L2 gas carries: the two budgets disagree on this block.
    const codeBytes = maxCommittedBytes(gasLimit) + 5_000;
    expect(codeBytes + 10_000).to.be.lessThan(advanceWitnessCapacity(common, 1_000, 0, undefined, 50_000n));
    const [alice, bob] = signers(2);
    const alloc: Record<string, { balance?: bigint; code?: `0x${string}` }> = {
      [HUGE]: { code: `0x00${"5b".repeat(codeBytes - 1)}` },
    };
    for (const signer of signers(5)) alloc[signer.address.toString()] = { balance: 10n ** 22n };
    const genesis = l2Genesis({
      chainId: L2_CHAIN_ID,
      timestamp: GENESIS_TIME,
      bridgeCode: readL2BridgeRuntimeCode(),
      alloc,
      gasLimit,
    });
    const heavy = alice!.tx({ to: HUGE, gasLimit: 50_000n });
    const small = bob!.tx({ to: TO, value: 1n, gasLimit: 21_000n });

    // Re-execution mode: the advance budget alone admits it.
    const advancing = await openSequencer(dirs.make(), { genesis });
    open.push(advancing);
    await advancing.submitTransaction(heavy);
    const advanced = await advancing.produceBlock();
    expect(advanced.block.transactions).to.have.length(1);
    expect(fitsOneAdvance(advanced)).to.equal(undefined);
    const committed = (p: ProducedBlock): number => p.parentHeader.length + p.blockRlp.length + p.encodedWitness.length;
    expect(proposalExcess(committed(advanced), gasLimit)?.reason).to.include("its challenge could need");

    // Optimistic mode: dropped, the small one included; the block fits both rules.
    const logger = new MemoryLogger();
    const proposing = await openSequencer(dirs.make(), { genesis, logger, proposable: true });
    open.push(proposing);
    await proposing.submitTransaction(heavy);
    await proposing.submitTransaction(small);
    const proposed = await proposing.produceBlock();
    expect(proposed.block.transactions.map((tx) => bytesToHex(tx.hash()))).to.deep.equal([bytesToHex(small.hash())]);
    expect(fitsOneAdvance(proposed)).to.equal(undefined);
    expect(proposalExcess(committed(proposed), proposed.block.header.gasLimit)).to.equal(undefined);
    expect(proposing.pendingTransaction(heavy.hash())).to.equal(undefined, "too big for any proposable block: dropped");
    expect(
      logger.lines.find((l) => l.level === "warn" && l.message.includes(bytesToHex(heavy.hash())))?.message,
    ).to.include("its challenge could need");
  });

  it("trims around a transaction: too big alone is dropped, too big beside the relays waits, the ones behind it are included", async () => {
    // Contracts whose code dominates the witness: 40 KB each, a 150 KB one, and a 70 KB budget.
    // Distinct fillers: the witness holds each distinct code once.
    const code = (bytes: number, filler: string): `0x${string}` => `0x00${filler.repeat(bytes - 1)}`;
    const [relayer, alice, bob, carol] = signers(4);
    const A = "0x00000000000000000000000000000000000a0000";
    const B = "0x00000000000000000000000000000000000b0000";
    const BIG = "0x00000000000000000000000000000000000c0000";
    const alloc: Record<string, { balance?: bigint; code?: `0x${string}` }> = {
      [A]: { code: code(40_000, "5b") },
      [B]: { code: code(40_000, "5c") },
      [BIG]: { code: code(150_000, "5d") },
    };
    for (const signer of signers(5)) alloc[signer.address.toString()] = { balance: 10n ** 22n };
    const chain = await Chain.create({
      genesis: l2Genesis({
        chainId: L2_CHAIN_ID,
        timestamp: GENESIS_TIME,
        bridgeCode: readL2BridgeRuntimeCode(),
        alloc,
      }),
    });
    const relay = relayer!.tx({ to: A, gasLimit: 50_000n }); // stands first, as a required relay
    const oversized = alice!.tx({ to: BIG, gasLimit: 50_000n });
    const besideRelay = bob!.tx({ to: B, gasLimit: 50_000n });
    const small = carol!.tx({ to: TO, value: 1n, gasLimit: 21_000n });
    const mined = await chain.mineBlock([relay, oversized, besideRelay, small], {
      captureWitness: true,
      maxWitnessBytes: 70_000,
      requiredTransactions: 1,
    });
    expect(mined.record.block.transactions.map((tx) => bytesToHex(tx.hash()))).to.deep.equal(
      [relay, small].map((tx) => bytesToHex(tx.hash())),
    );
    expect((mined.encodedWitness as Uint8Array).length).to.be.at.most(70_000);
    const skipped = new Map(mined.skipped.map((s) => [bytesToHex(s.tx.hash()), s]));
    expect(skipped.get(bytesToHex(oversized.hash()))?.retryable).to.equal(
      true,
      "beside the relay it may still fit a block without relays",
    );
    expect(skipped.get(bytesToHex(besideRelay.hash()))?.retryable).to.equal(true);
    expect(skipped.get(bytesToHex(besideRelay.hash()))?.reason).to.include("beside the L1 messages' relays");

    // Without relays in front, the one too big for any block is dropped; the other one fits.
    const next = await chain.mineBlock([oversized, besideRelay], { captureWitness: true, maxWitnessBytes: 70_000 });
    expect(next.record.block.transactions.map((tx) => bytesToHex(tx.hash()))).to.deep.equal([
      bytesToHex(besideRelay.hash()),
    ]);
    expect(next.skipped.map((s) => [bytesToHex(s.tx.hash()), s.retryable])).to.deep.equal([
      [bytesToHex(oversized.hash()), false],
    ]);
    expect(next.skipped[0]?.reason).to.match(/^exceeds the block budget: its witness of \d+ B exceeds 70000 B$/);
  });
});
