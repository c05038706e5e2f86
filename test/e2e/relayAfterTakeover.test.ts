import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { type JsonRpcProvider, parseEther } from "ethers";

import type { BatchSubmitter } from "../../rollup-node/bridge/batchSubmitter";
import type { TakeoverNode } from "../../rollup-node/node/takeover";
import { rejection } from "../rollup-node/rejection";
import { runTask } from "../support/runTask";
import {
  type E2eRollup,
  eventually,
  increaseL1Time,
  provider,
  startE2eRollup,
  startE2eTakeover,
  TAKEOVER_ACCOUNT,
  TAKEOVER_TEST_POLICY,
} from "./support/harness";

const WAIT_MS = 90_000;

/**
 * rollup:deposit prints the L2 transaction of the relay as soon as the sequencer relays it. Before
 * L1 accepts that L2 block, a take-over node may rebuild it (the sequencer stopped): the deposit is
 * credited all the same, in another relay transaction, and the printed hash never appears on the
 * chain. The task must say so and give what stays: the message hash, which rollup:message finds.
 */
describe("e2e: a deposit relayed in a block L1 never accepted is relayed again by the take-over node; the task's message hash finds it", function () {
  this.timeout(300_000);
  let r: E2eRollup;
  let takeover: TakeoverNode | undefined;
  let takenOverAt: string | undefined;
  let dataDir: string | undefined;
  const providers: JsonRpcProvider[] = [];

  before(async () => {
    r = await startE2eRollup({
      policy: TAKEOVER_TEST_POLICY,
    });
  });

  after(async () => {
    await takeover?.stop();
    for (const p of providers) p.destroy();
    await r?.stop();
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
  });

  it("the deposit task names the message hash as the relay's lasting id; after the take-over rollup:message finds the new relay by it", async () => {
    // The sequencer builds blocks but L1 accepts none of them from now on (it stops before submitting).
    await (r.devnet.node.bridge.submitter as BatchSubmitter).stop();
    const recipient = "0x00000000000000000000000000000000007e1a01";
    const connection = { l1Rpc: r.devnet.l1Url, l2Rpc: r.devnet.l2Url, rollup: r.devnet.deployment.address };
    const printed = await runTask("rollup:deposit", { ...connection, account: 2, amount: "0.5", to: recipient });
    const messageHash = /message (0x[0-9a-f]{64})\)/.exec(printed)?.[1] as string;
    const relay = /relayed on L2 in block (\d+) \(tx (0x[0-9a-f]{64})\)/.exec(printed);
    expect(messageHash, printed).to.be.a("string");
    expect(relay, printed).to.not.equal(null);
    expect(printed).to.contain(`not final until L1 accepts L2 block ${relay?.[1]}`);
    expect(printed).to.contain(`npx hardhat rollup:message ${messageHash}`);

    // The sequencer stops for good before L1 accepts the block; a take-over node rebuilds the chain.
    await r.devnet.node.stop();
    dataDir = mkdtempSync(path.join(tmpdir(), "rollup-e2e-relay-takeover-"));
    const l1 = provider(r.devnet.l1Url);
    providers.push(l1);
    takeover = await startE2eTakeover(r, {
      dataDir,
      l1,
      account: TAKEOVER_ACCOUNT,
      onTakeover: (url) => {
        takenOverAt = url;
      },
    });
    const openAt = (await r.rollup().openSequencingAt()) as bigint;
    const latest = BigInt((await r.l1.getBlock("latest"))?.timestamp ?? 0);
    if (openAt > latest) await increaseL1Time(r.l1, openAt - latest);
    const newUrl = await eventually("the take-over", async () => takenOverAt, WAIT_MS);
    const newL2 = provider(newUrl);
    providers.push(newL2);
    await eventually(
      "the deposit credited by the take-over node",
      async () => ((await newL2.getBalance(recipient)) === parseEther("0.5") ? true : undefined),
      WAIT_MS,
    );

    // The printed relay transaction is not on the chain: the message's relay is another one.
    expect(await newL2.getTransaction(relay?.[2] as string)).to.equal(null);
    const shown = await runTask("rollup:message", { ...connection, l2Rpc: newUrl, hash: messageHash });
    const found = /relayed on L2 {3}block (\d+) \(tx (0x[0-9a-f]{64})\)/.exec(shown);
    expect(found, shown).to.not.equal(null);
    expect(found?.[2]).to.not.equal(relay?.[2]);
    expect((await newL2.getTransactionReceipt(found?.[2] as string))?.status).to.equal(1);
    expect(shown).to.match(/status {10}relayed/);
    // The replaced relay's hash is no message's: the lookup says what to pass instead.
    const stale = (await rejection(
      runTask("rollup:message", { ...connection, l2Rpc: newUrl, hash: relay?.[2] as string }),
    )) as { code?: string; hint?: string };
    expect(stale.code).to.equal("MESSAGE_NOT_FOUND");
    expect(stale.hint).to.contain("a relay's L2 transaction is not one: a take-over can replace it");
  });
});
