import { expect } from "chai";

import type { BlockAcceptance } from "../../../rollup-node/bridge/acceptance";
import type { AcceptedBlock } from "../../../rollup-node/bridge/batchSubmitter";
import type { RollupStatus } from "../../../rollup-node/bridge/status";
import {
  type DashboardFacts,
  type LocalBlockFacts,
  buildDashboardSnapshot,
} from "../../../rollup-node/dashboard/snapshot";

const ROLLUP = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const hash = (n: number, salt = 0): string => `0x${(n * 16 + salt).toString(16).padStart(64, "0")}`;
const tx = (n: number): string => `0x${(0xa000 + n).toString(16).padStart(64, "0")}`;

const status: RollupStatus = {
  rollupAddress: ROLLUP,
  l1: { state: "ok", head: 40n },
  l1ChainId: 1337n,
  l1Head: 40n,
  l2ChainId: 42069n,
  l2Head: 6n,
  l2HeadHash: hash(6),
  acceptedL2Head: 5n,
  acceptedL2HeadHash: hash(5),
  pendingL1Messages: 1n,
  l1MessageCount: 3n,
  submitter: "running",
};

function accepted(number: number, overrides: Partial<BlockAcceptance> = {}): BlockAcceptance {
  return {
    number: BigInt(number),
    blockHash: hash(number),
    status: "final",
    mode: "re-executed",
    proofKeys: [],
    l1TransactionHash: tx(number),
    l1BlockNumber: 10 + number,
    ...overrides,
  };
}

function local(number: number, witnessBytes: number): LocalBlockFacts {
  return {
    hash: hash(number),
    transactions: number,
    consumedMessages: 0,
    witnessBytes,
    reexecuteGas: 100_000n + 16n * BigInt(witnessBytes + 1_000),
  };
}

function submitted(number: number, overrides: Partial<AcceptedBlock> = {}): AcceptedBlock {
  return {
    number: BigInt(number),
    blockHash: hash(number),
    l1TransactionHash: tx(number),
    l1BlockNumber: 10 + number,
    l1GasUsed: 500_000n,
    executeGas: 250_000n,
    witnessBytes: 7_000,
    blockBytes: 600,
    transactions: 2,
    consumedMessages: 1,
    provenBy: [],
    ...overrides,
  };
}

function facts(overrides: Partial<DashboardFacts> = {}): DashboardFacts {
  return {
    now: 1_700_000_000_000,
    reason: "l2-block",
    status,
    acceptance: [],
    submitted: [],
    local: new Map(),
    l1GasUsed: new Map(),
    l1ToL2: [],
    l2ToL1: [],
    limits: { blocks: 12, messages: 8 },
    mode: { kind: "re-execution" },
    consumedOnL2: 2n,
    finalAt: new Map(),
    l1Time: 0n,
    ...overrides,
  };
}

describe("dashboard snapshot (pure assembly of the node's facts)", () => {
  it("shows the node's challenger and its alerts (round 31's trial: rollup:status had them, the dashboard not)", () => {
    const watcher = "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720";
    const alert = "L2 block 7 (0x07) not judged; its window closes at L1 time 99: its check has not finished";
    const s = buildDashboardSnapshot(
      facts({
        status: {
          ...status,
          submitter: "off",
          challenger: { address: watcher, pending: 2, won: [{ number: 4n, reward: 10n ** 17n }] },
          challengerAlerts: [alert],
        },
      }),
    );
    expect(s.rollup.challenger).to.deep.equal({ address: watcher, pending: 2, won: 1 });
    expect(s.rollup.challengerAlerts).to.deep.equal([alert]);
    // A node that does not challenge shows none.
    expect(buildDashboardSnapshot(facts()).rollup).to.not.have.property("challenger");
  });

  it("reports the heads, chain ids and submitter state from the rollup status", () => {
    const s = buildDashboardSnapshot(
      facts({ status: { ...status, submitter: "halted", submitterError: "block 6 rejected" } }),
    );
    expect(s.heads).to.deep.equal({
      l1: 40,
      l2: 6,
      l2Hash: hash(6),
      safe: null,
      safeHash: null,
      finalized: null,
      finalizedHash: null,
      accepted: 5,
      acceptedHash: hash(5),
      pendingL1Messages: 1,
      l1MessageCount: 3,
      l1MessagesAwaitingL2: 1,
    });
    expect(s.rollup).to.deep.equal({
      address: ROLLUP,
      l1ChainId: 1337,
      l2ChainId: 42069,
      l1State: "ok",
      l1Detail: "ok, head 40",
      submitter: "halted",
      submitterError: "block 6 rejected",
      mode: { kind: "re-execution" },
    });
    // A node that cannot read its L1 says so, since when and why.
    const down = buildDashboardSnapshot(
      facts({
        status: { ...status, l1: { state: "unreachable", since: 1_700_000_000n, error: "connection refused" } },
      }),
    );
    expect(down.rollup.l1State).to.equal("unreachable");
    expect(down.rollup.l1Detail).to.equal(
      "UNREACHABLE since 2023-11-14T22:13:20.000Z: connection refused (the node reports its last read of L1)",
    );
    expect(s.generatedAt).to.equal(1_700_000_000_000);
    expect(s.reason).to.equal("l2-block");
  });

  it("reports the node's safe and finalized heads beside its latest one", () => {
    const s = buildDashboardSnapshot(
      facts({ labelledHeads: { safe: { number: 5n, hash: hash(5) }, finalized: { number: 3n, hash: hash(3) } } }),
    );
    expect(s.heads).to.include({ l2: 6, safe: 5, safeHash: hash(5), finalized: 3, finalizedHash: hash(3) });
  });

  it("lists accepted blocks newest first and keeps only the newest `limits.blocks`", () => {
    const s = buildDashboardSnapshot(
      facts({ acceptance: [1, 2, 3, 4, 5].map((n) => accepted(n)), limits: { blocks: 3, messages: 8 } }),
    );
    expect(s.blocks.map((b) => b.number)).to.deep.equal([5, 4, 3]);
  });

  it("takes EXECUTE gas, L1 gas, witness size and proof types from the submitter's record of the advance", () => {
    const s = buildDashboardSnapshot(
      facts({ acceptance: [accepted(5)], submitted: [submitted(5)], local: new Map([[hash(5), local(5, 6_000)]]) }),
    );
    const [row] = s.blocks;
    expect(row).to.include({
      number: 5,
      executeGas: 250_000,
      l1GasUsed: 500_000,
      witnessBytes: 7_000,
      label: "re-executed",
      status: "final",
      transactions: 5,
    });
  });

  it("for a re-executed block sent before the node restarted, prices the stored witness and reads the receipt's gas", () => {
    const row = buildDashboardSnapshot(
      facts({
        acceptance: [accepted(4)],
        local: new Map([[hash(4), local(4, 3_000)]]),
        l1GasUsed: new Map([[tx(4), 321_000n]]),
      }),
    ).blocks[0];
    expect(row).to.include({
      executeGas: 100_000 + 16 * 4_000,
      witnessBytes: 3_000,
      l1GasUsed: 321_000,
      transactions: 4,
    });
  });

  it("leaves what it cannot know empty instead of guessing (another node's block, no receipt)", () => {
    const row = buildDashboardSnapshot(facts({ acceptance: [accepted(4)] })).blocks[0];
    expect(row).to.include({
      executeGas: null,
      witnessBytes: null,
      l1GasUsed: null,
      transactions: null,
      consumedMessages: null,
    });
  });

  it("labels a block proven by k keys, sent without a witness", () => {
    const keys = [hash(100), hash(101)];
    const row = buildDashboardSnapshot(
      facts({
        acceptance: [accepted(5, { mode: "proven", proofKeys: keys })],
        submitted: [submitted(5, { witnessBytes: 0, executeGas: 520_000n, provenBy: ["committee-1", "committee-2"] })],
        local: new Map([[hash(5), local(5, 6_000)]]),
      }),
    ).blocks[0];
    expect(row).to.include({ label: "proven by 2 keys", mode: "proven", witnessBytes: 0, executeGas: 520_000 });
    expect(row?.provenBy).to.deep.equal(["committee-1", "committee-2"]);
    expect(row?.proofKeys).to.deep.equal(keys);
    const one = buildDashboardSnapshot(
      facts({ acceptance: [accepted(5, { mode: "proofs-or-re-executed", proofKeys: [hash(100)] })] }),
    ).blocks[0];
    expect(one?.label).to.equal("proofs (1 key) or re-executed");
  });

  it("shows optimistic blocks as provisional, then final, with no EXECUTE gas or witness (a proposal runs no EXECUTE)", () => {
    const rows = buildDashboardSnapshot(
      facts({
        acceptance: [
          accepted(4, { mode: "optimistic", status: "final" }),
          accepted(5, { mode: "optimistic", status: "provisional" }),
        ],
        local: new Map([[hash(5), local(5, 6_000)]]),
        l1GasUsed: new Map([[tx(5), 90_000n]]),
      }),
    ).blocks;
    expect(rows.map((b) => [b.number, b.label, b.status])).to.deep.equal([
      [5, "provisional", "provisional"],
      [4, "final", "final"],
    ]);
    expect(rows[0]).to.include({ executeGas: null, witnessBytes: null, l1GasUsed: 90_000 });
  });

  it("gives each provisional block its time to final by the L1 clock (0 once its window closed), and final blocks none", () => {
    const rows = buildDashboardSnapshot(
      facts({
        acceptance: [
          accepted(4, { mode: "optimistic", status: "final" }),
          accepted(5, { mode: "optimistic", status: "provisional" }),
          accepted(6, { mode: "optimistic", status: "provisional" }),
        ],
        finalAt: new Map([
          [hash(4), 900n],
          [hash(5), 990n],
          [hash(6), 1_025n],
        ]),
        l1Time: 1_000n,
      }),
    ).blocks;
    expect(rows.map((b) => [b.number, b.secondsToFinal])).to.deep.equal([
      [6, 25],
      [5, 0],
      [4, null],
    ]);
  });

  it("counts the L1 → L2 messages awaiting an L2 block as the list shows them, apart from those not final on L1 (optimistic)", () => {
    // Optimistic: 3 queued, all relayed on L2, none final on L1 (nextMessageIndex still 0).
    const s = buildDashboardSnapshot(
      facts({
        status: { ...status, l1MessageCount: 3n, pendingL1Messages: 3n },
        consumedOnL2: 3n,
        mode: { kind: "optimistic", challengeWindow: 30 },
      }),
    );
    expect(s.heads.l1MessagesAwaitingL2).to.equal(0);
    expect(s.heads.pendingL1Messages).to.equal(3);
    expect(s.rollup.mode).to.deep.equal({ kind: "optimistic", challengeWindow: 30 });
  });

  it("keeps a challenged block next to its replacement, the later one first, with EXECUTE's reason", () => {
    const challenged = accepted(5, {
      mode: "optimistic",
      status: "challenged",
      blockHash: hash(5, 1),
      l1BlockNumber: 20,
      challenge: { code: 72, reason: "state root mismatch" },
    });
    const replacement = accepted(5, { l1BlockNumber: 25 });
    const rows = buildDashboardSnapshot(facts({ acceptance: [challenged, replacement] })).blocks;
    expect(rows.map((b) => [b.hash, b.label])).to.deep.equal([
      [hash(5), "re-executed"],
      [hash(5, 1), "challenged"],
    ]);
    expect(rows[1]?.challenge).to.deep.equal({ code: 72, reason: "state root mismatch" });
  });

  it("ignores the submitter's figures when a later L1 transaction changed the block's status", () => {
    // Proposed by this node, then proven by someone else's `prove`: the gas is that transaction's.
    const row = buildDashboardSnapshot(
      facts({
        acceptance: [accepted(5, { l1TransactionHash: tx(50) })],
        submitted: [submitted(5)],
        local: new Map([[hash(5), local(5, 6_000)]]),
        l1GasUsed: new Map([[tx(50), 700_000n]]),
      }),
    ).blocks[0];
    expect(row).to.include({ l1GasUsed: 700_000, witnessBytes: 6_000, executeGas: 100_000 + 16 * 7_000 });
  });

  it("lists L1 → L2 messages newest first with their kind, value and where they were anchored and relayed", () => {
    const message = (nonce: number, data: string, state: "queued" | "anchored" | "relayed") => ({
      nonce: BigInt(nonce),
      messageHash: hash(200 + nonce),
      from: ROLLUP,
      to: ROLLUP,
      value: 10n ** 18n * BigInt(nonce + 1),
      data,
      l1BlockNumber: 30 + nonce,
      l1TransactionHash: tx(30 + nonce),
      status: {
        direction: "l1ToL2" as const,
        nonce: BigInt(nonce),
        status: state,
        consumedOnL1: false,
        ...(state === "queued" ? {} : { anchoredInL2Block: 6n }),
        ...(state === "relayed" ? { relayedInL2Block: 6n } : {}),
      },
    });
    const s = buildDashboardSnapshot(
      facts({
        l1ToL2: [message(0, "0x", "relayed"), message(1, "0x1234", "anchored"), message(2, "0x", "queued")],
        limits: { blocks: 12, messages: 2 },
      }),
    );
    expect(
      s.l1ToL2.map((m) => [m.nonce, m.kind, m.status, m.anchoredInL2Block, m.relayedInL2Block, m.value]),
    ).to.deep.equal([
      [2, "deposit", "queued", null, null, "3000000000000000000"],
      [1, "call", "anchored", 6, null, "2000000000000000000"],
    ]);
  });

  it("gives L2 → L1 messages the status rollup_getMessageStatus gives: initiated, provable once accepted, finalized", () => {
    const sent = (nonce: number, l2BlockNumber: number, finalized: boolean) => ({
      sent: {
        message: { nonce: BigInt(nonce), from: ROLLUP, to: ROLLUP, value: 5n, data: "0x" },
        messageHash: hash(300 + nonce),
        l2BlockNumber: BigInt(l2BlockNumber),
        l2TransactionHash: tx(300 + nonce),
      },
      finalized,
    });
    const s = buildDashboardSnapshot(facts({ l2ToL1: [sent(0, 2, true), sent(1, 5, false), sent(2, 6, false)] }));
    expect(s.l2ToL1.map((m) => [m.nonce, m.status])).to.deep.equal([
      [2, "initiated"],
      [1, "provable"],
      [0, "finalized"],
    ]);
  });

  it("is plain JSON: it survives a round trip unchanged", () => {
    const s = buildDashboardSnapshot(facts({ acceptance: [accepted(5)], submitted: [submitted(5)] }));
    expect(JSON.parse(JSON.stringify(s))).to.deep.equal(s);
  });
});
