import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { getAddress } from "ethers";
import fc from "fast-check";

import { type L2Bridge, L2Bridge__factory, L2Receiver__factory } from "../../typechain-types";
import { decodeRollupRevert, revertDataOf } from "../../rollup-node/bridge/contracts";
import { L2_BRIDGE_ADDRESS } from "../../protocol/messages";
import { BRIDGE_PREMINT } from "../../rollup-node/l2/genesis";
import { rejection } from "../rollup-node/rejection";
import {
  type E2eRollup,
  type WithdrawalProofJson,
  eventually,
  provableWithdrawal,
  startE2eRollup,
  withdrawToL1,
} from "./support/harness";

/**
 * Property-based e2e test of the bridge's accounting: random sequences of deposits, L1 → L2
 * calls, withdrawals, finalizations and restarts (stop the whole devnet, start it again on the
 * same data directory) run against one real rollup; after each sequence, once everything queued
 * is relayed and every withdrawal is provable, the balances and message events must add up exactly.
 */

type Command =
  | { kind: "deposit"; from: number; to: number; value: bigint }
  | { kind: "call"; from: number; value: bigint; argument: bigint }
  | { kind: "withdraw"; from: number; to: number; value: bigint }
  | { kind: "finalizeAll" }
  | { kind: "restart" };

/** L2 recipients of deposits and L1 recipients of withdrawals: fresh EOAs, so balances are unambiguous. */
const L2_RECIPIENTS = [
  "0xb1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b10001",
  "0xb1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b10002",
  "0xb1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b10003",
].map((a) => getAddress(a));
const L1_RECIPIENTS = ["0xa1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a10001", "0xa1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a10002"].map(
  (a) => getAddress(a),
);
/** L1 dev accounts that deposit / call; L2 dev accounts that withdraw; the L1 account that finalizes. */
const L1_SENDERS = [1, 2, 3];
const L2_WITHDRAWERS = [3, 6, 7];
const FINALIZER = 4;
const L2_DEPLOYER = 5;
const WAIT_MS = 60_000;
const SEED_DEPOSIT = 10n ** 18n;

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("deposit" as const),
      from: fc.constantFrom(...L1_SENDERS),
      to: fc.nat({ max: L2_RECIPIENTS.length - 1 }),
      value: fc.bigInt({ min: 1n, max: 10n ** 15n }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("call" as const),
      from: fc.constantFrom(...L1_SENDERS),
      value: fc.bigInt({ min: 0n, max: 10n ** 12n }),
      argument: fc.bigInt({ min: 0n, max: 2n ** 64n }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("withdraw" as const),
      from: fc.constantFrom(...L2_WITHDRAWERS),
      to: fc.nat({ max: L1_RECIPIENTS.length - 1 }),
      value: fc.bigInt({ min: 1n, max: 10n ** 15n }),
    }),
  },
  { weight: 3, arbitrary: fc.constant({ kind: "finalizeAll" as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: "restart" as const }) },
);

interface Withdrawal {
  readonly txHash: string;
  readonly value: bigint;
  proof?: WithdrawalProofJson;
}

/** Per-run expectations, kept as deltas from the snapshot taken when the run starts. */
interface RunModel {
  l1Before: bigint;
  bridgeBefore: bigint;
  /** Wei L2Bridge had paid relayers back (RelayReimbursed) when the run started. */
  reimbursedBefore: bigint;
  firstNonce: bigint;
  queued: bigint[]; // value of each L1 → L2 message queued in this run
  withdrawals: Withdrawal[];
  finalized: Withdrawal[];
}

function show(command: Command): string {
  switch (command.kind) {
    case "deposit":
      return `deposit(${command.from}→${command.to}, ${command.value})`;
    case "call":
      return `call(${command.from}, ${command.value}, ${command.argument})`;
    case "withdraw":
      return `withdraw(${command.from}→${command.to}, ${command.value})`;
    default:
      return command.kind;
  }
}

describe("e2e: bridge invariants over random sequences of deposits, calls, withdrawals, finalizations and restarts (fast-check)", function () {
  this.timeout(240_000);
  const dataDir = mkdtempSync(path.join(tmpdir(), "rollup-e2e-invariants-"));
  let r: E2eRollup | undefined;
  let receiverAddress = "";
  const stats = {
    runs: 0,
    commands: { deposit: 0, call: 0, withdraw: 0, finalizeAll: 0, restart: 0 } as Record<Command["kind"], number>,
    finalized: 0,
    relayed: 0,
  };

  const rollup = (): E2eRollup => r as E2eRollup;
  // One L2Bridge contract per rollup started (a restart starts another): each connect builds the ABI interface.
  const bridges = new WeakMap<E2eRollup, L2Bridge>();
  const bridgeL2 = (): L2Bridge => {
    const current = rollup();
    let bridge = bridges.get(current);
    if (bridge === undefined) {
      bridge = L2Bridge__factory.connect(L2_BRIDGE_ADDRESS, current.l2);
      bridges.set(current, bridge);
    }
    return bridge;
  };
  const rollupBalance = () => rollup().l1.getBalance(rollup().devnet.deployment.address);
  const bridgeBalance = () => rollup().l2.getBalance(L2_BRIDGE_ADDRESS);
  // L2Bridge pays relayers back their gas at the base fee: that ETH also leaves the bridge.
  const reimbursed = async (): Promise<bigint> =>
    (await bridgeL2().queryFilter(bridgeL2().filters.RelayReimbursed(), 0)).reduce(
      (total, e) => total + e.args.amount,
      0n,
    );

  before(async () => {
    r = await startE2eRollup({ dataDir, keepDataDir: true });
    const receiver = await new L2Receiver__factory(r.l2Wallet(L2_DEPLOYER)).deploy();
    await receiver.waitForDeployment();
    receiverAddress = await receiver.getAddress();
    // L2 dev accounts are funded in the L2 genesis, not by deposits: without L1 backing, the
    // rollup could not pay their withdrawals out (finalization reverts with MessageCallFailed).
    // One deposit up front backs every withdrawal the property can make.
    await (await r.rollup(9).depositETH(r.l2Wallet(9).address, { value: SEED_DEPOSIT })).wait();
    const bridge = L2Bridge__factory.connect(L2_BRIDGE_ADDRESS, r.l2);
    await eventually("the seed deposit's relay", async () => ((await bridge.relayed(0n)) ? true : undefined), WAIT_MS);
  });

  after(async () => {
    await r?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    console.log(
      `      bridge invariants: ${stats.runs} runs, commands ${JSON.stringify(stats.commands)}, ${stats.relayed} L1 → L2 messages relayed, ${stats.finalized} withdrawals finalized`,
    );
  });

  async function finalize(w: Withdrawal): Promise<void> {
    w.proof ??= await provableWithdrawal(rollup(), w.txHash, WAIT_MS);
    const p = w.proof;
    await (
      await rollup().rollup(FINALIZER).finalizeMessage(p.l2BlockNumber, p.message, p.accountProof, p.storageProof)
    ).wait();
  }

  async function apply(model: RunModel, command: Command): Promise<void> {
    stats.commands[command.kind]++;
    const current = rollup();
    switch (command.kind) {
      case "deposit": {
        await (
          await current.rollup(command.from).depositETH(L2_RECIPIENTS[command.to] as string, { value: command.value })
        ).wait();
        model.queued.push(command.value);
        return;
      }
      case "call": {
        const data = L2Receiver__factory.createInterface().encodeFunctionData("receiveMessage", [command.argument]);
        await (
          await current.rollup(command.from).sendMessage(receiverAddress, 200_000n, data, { value: command.value })
        ).wait();
        model.queued.push(command.value);
        return;
      }
      case "withdraw": {
        const txHash = await withdrawToL1(current, command.from, L1_RECIPIENTS[command.to] as string, command.value);
        model.withdrawals.push({ txHash, value: command.value });
        return;
      }
      case "finalizeAll": {
        for (const w of model.withdrawals) {
          if (model.finalized.includes(w)) continue;
          await finalize(w);
          model.finalized.push(w);
        }
        return;
      }
      case "restart": {
        await current.stop();
        r = await startE2eRollup({ dataDir, keepDataDir: true });
        expect(r.devnet.resumed, "the devnet resumes its data directory").to.equal(true);
        return;
      }
    }
  }

  /** Waits until everything of the run has settled, then checks the invariants exactly. */
  async function settleAndCheck(model: RunModel): Promise<void> {
    const current = rollup();
    const l1Rollup = current.rollup(FINALIZER);
    const bridge = bridgeL2();
    const lastNonce = model.firstNonce + BigInt(model.queued.length);
    expect(await l1Rollup.messageCount()).to.equal(lastNonce);
    for (let nonce = model.firstNonce; nonce < lastNonce; nonce++) {
      await eventually(
        `relay of L1 message #${nonce}`,
        async () => ((await bridge.relayed(nonce)) ? true : undefined),
        WAIT_MS,
      );
    }
    await eventually(
      "no pending L1 message",
      async () =>
        BigInt(((await current.l2.send("rollup_status", [])) as Record<string, string>).pendingL1Messages as string) ===
        0n
          ? true
          : undefined,
      WAIT_MS,
    );
    for (const w of model.withdrawals) w.proof ??= await provableWithdrawal(current, w.txHash, WAIT_MS);

    const sum = (values: bigint[]): bigint => values.reduce((a, b) => a + b, 0n);
    const deposited = sum(model.queued);
    const withdrawn = sum(model.withdrawals.map((w) => w.value));
    const paidOut = sum(model.finalized.map((w) => w.value));

    // L1: the rollup contract holds deposits minus finalized withdrawals.
    expect((await rollupBalance()) - model.l1Before, "L1 rollup balance delta").to.equal(deposited - paidOut);
    // L2: the supply outside L2Bridge (BRIDGE_PREMINT − its balance) grows by relayed values and
    // relay reimbursements (gas the relayer burned), shrinks by withdrawals.
    const reimbursedNow = (await reimbursed()) - model.reimbursedBefore;
    expect(model.bridgeBefore - (await bridgeBalance()), "L2 supply outside L2Bridge delta").to.equal(
      deposited - withdrawn + reimbursedNow,
    );

    // Each L1 message of the run relayed exactly once, with its queued hash.
    const relayedEvents = await bridge.queryFilter(bridge.filters.MessageRelayed(), 0);
    for (let nonce = model.firstNonce; nonce < lastNonce; nonce++) {
      const events = relayedEvents.filter((e) => e.args.nonce === nonce);
      expect(events.length, `MessageRelayed events of nonce ${nonce}`).to.equal(1);
      expect(events[0]?.args.messageHash).to.equal(await l1Rollup.messageHash(nonce));
    }
    stats.relayed += model.queued.length;

    // Each finalized withdrawal finalized exactly once, and only those.
    const finalizedEvents = await l1Rollup.queryFilter(
      l1Rollup.filters.MessageFinalized(),
      current.devnet.deployment.deployBlock,
    );
    for (const w of model.withdrawals) {
      const hash = (w.proof as WithdrawalProofJson).messageHash;
      const done = model.finalized.includes(w);
      expect(
        finalizedEvents.filter((e) => e.args.messageHash === hash).length,
        `MessageFinalized events of ${hash}`,
      ).to.equal(done ? 1 : 0);
      expect(await l1Rollup.finalized(hash)).to.equal(done);
      if (done) {
        const p = w.proof as WithdrawalProofJson;
        const again = await rejection(
          l1Rollup.finalizeMessage(p.l2BlockNumber, p.message, p.accountProof, p.storageProof, {
            gasLimit: 2_000_000n,
          }),
        );
        expect(decodeRollupRevert(revertDataOf(again) ?? "0x")?.name).to.equal("AlreadyFinalized");
      }
    }
    stats.finalized += model.finalized.length;

    // Whole-history (absolute) versions of the same invariants, from the events since deployment.
    const queuedEvents = await l1Rollup.queryFilter(
      l1Rollup.filters.MessageQueued(),
      current.devnet.deployment.deployBlock,
    );
    const totalQueued = sum(queuedEvents.map((e) => e.args.value));
    const totalFinalized = sum(finalizedEvents.map((e) => e.args.value));
    // The deployment deposited the L2 genesis supply besides.
    expect(await rollupBalance(), "L1 rollup balance = genesis supply + Σ queued − Σ finalized").to.equal(
      (await l1Rollup.genesisSupply()) + totalQueued - totalFinalized,
    );
    const relayedNonces = relayedEvents.map((e) => e.args.nonce);
    expect(new Set(relayedNonces).size, "no nonce relayed twice").to.equal(relayedNonces.length);
    expect(relayedNonces.length).to.equal(queuedEvents.length);
    const sentEvents = await bridge.queryFilter(bridge.filters.MessageSentToL1(), 0);
    const totalSent = sum(sentEvents.map((e) => e.args.value));
    expect(
      BRIDGE_PREMINT - (await bridgeBalance()),
      "L2 supply outside L2Bridge = Σ relayed − Σ sent to L1 + Σ reimbursed",
    ).to.equal(totalQueued - totalSent + (await reimbursed()));
  }

  it("L1 rollup balance = deposits − finalized withdrawals; L2 supply outside L2Bridge = relayed − withdrawn; nothing relayed or finalized twice", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(commandArb, { minLength: 1, maxLength: 10 }), async (commands) => {
        stats.runs++;
        if (process.env.E2E_LOG === "1") console.log(`run ${stats.runs}: ${commands.map(show).join(", ")}`);
        const model: RunModel = {
          l1Before: await rollupBalance(),
          bridgeBefore: await bridgeBalance(),
          reimbursedBefore: await reimbursed(),
          firstNonce: await rollup().rollup().messageCount(),
          queued: [],
          withdrawals: [],
          finalized: [],
        };
        for (const command of commands) await apply(model, command);
        await settleAndCheck(model);
      }),
      // A failing run against a live rollup is too slow to shrink: report the first counterexample.
      { numRuns: 20, seed: 0x5eed, endOnFailure: true, verbose: true },
    );
  });
});
