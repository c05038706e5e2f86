import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { type JsonRpcProvider, Wallet, parseEther } from "ethers";

import { deriveDevAccounts } from "../../rollup-node/chain/devAccounts";
import type { TakeoverNode } from "../../rollup-node/node/takeover";
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

/** The censored user: a dev account, the same address on L1 and L2. */
const USER = 5;
/** Another user, whose L2 transactions keep the sequencer building blocks. */
const OTHER = 6;
const WAIT_MS = 90_000;

/**
 * The chain's liveness against a sequencer that never includes a user's L1 message
 * (`rollup:node --censor ADDRESS --censor-mode never`): once the message is overdue, L1 refuses
 * every block of that sequencer (NativeRollup's OverdueMessageSkipped), so it can no longer
 * advance; after the rollup's inactivity period a follower node takes over (fallback sequencing),
 * includes the forced message, and the user's deposit is credited on L2.
 */
describe("e2e: a sequencer that never includes a forced message is refused by L1, and a follower takes over and includes it", function () {
  this.timeout(300_000);
  let r: E2eRollup;
  let takeover: TakeoverNode | undefined;
  let takenOverAt: string | undefined;
  const providers: JsonRpcProvider[] = [];
  let dataDir: string | undefined;
  const userAddress = deriveDevAccounts(USER + 1)[USER]?.address as string;

  before(async () => {
    r = await startE2eRollup({
      policy: TAKEOVER_TEST_POLICY,
      censor: [userAddress],
      censorMode: "never",
    });
  });

  after(async () => {
    await takeover?.stop();
    for (const p of providers) p.destroy();
    await r?.stop();
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
  });

  const l2Of = (url: string): JsonRpcProvider => {
    const p = provider(url);
    providers.push(p);
    return p;
  };

  /** A transfer by the other user on the censoring sequencer; its L2 block number. */
  async function otherUsersTransfer(): Promise<bigint> {
    const tx = await r.l2Wallet(OTHER).sendTransaction({ to: Wallet.createRandom().address, value: 1n });
    return BigInt((await tx.wait())?.blockNumber ?? 0);
  }

  it("L1 refuses the censoring sequencer's blocks once the message is overdue; the take-over node includes it and credits the deposit", async () => {
    // The take-over node: an empty data directory, the L1, the genesis and its own funded L1 key.
    dataDir = mkdtempSync(path.join(tmpdir(), "rollup-e2e-censor-never-"));
    const l1 = l2Of(r.devnet.l1Url);
    takeover = await startE2eTakeover(r, {
      dataDir,
      l1,
      account: TAKEOVER_ACCOUNT,
      onTakeover: (url) => {
        takenOverAt = url;
      },
    });

    // The censoring sequencer works for everyone else: a transfer is accepted on L1.
    const first = await otherUsersTransfer();
    await eventually(
      "the other user's block accepted on L1",
      async () => ((await r.rollup().headNumber()) >= first ? true : undefined),
      WAIT_MS,
    );
    const follower = l2Of(takeover.follower?.url as string);
    const balanceBefore = await eventually(
      "the follower to derive the accepted head",
      async () => ((await follower.getBlockNumber()) >= Number(first) ? follower.getBalance(userAddress) : undefined),
      WAIT_MS,
    );

    // The user, censored on L2, deposits through L1.
    const nonce = await r.rollup().messageCount();
    await (await r.rollup(USER).depositETH(userAddress, { value: parseEther("1") })).wait();
    await eventually(
      "the sequencer to hold the message back",
      async () => (r.log.has(`--censor: holding back L1 → L2 message #${nonce}`) ? true : undefined),
      WAIT_MS,
    );

    // Overdue by L1's clock: the sequencer still leaves it out, so L1 refuses its blocks.
    await increaseL1Time(r.l1, TAKEOVER_TEST_POLICY.forceInclusionDelay + 1n);
    const accepted = await r.rollup().headNumber();
    await otherUsersTransfer();
    await eventually(
      "the censoring sequencer's block refused by L1 (OverdueMessageSkipped)",
      async () => (r.log.has("OverdueMessageSkipped") ? true : undefined),
      WAIT_MS,
    );
    expect(r.log.has(`--censor-mode never: L1 → L2 message #${nonce}`)).to.equal(true);
    await eventually(
      "the censoring sequencer's submitter to stop",
      async () => (r.log.has("BATCH SUBMISSION STOPPED") ? true : undefined),
      WAIT_MS,
    );
    expect(await r.rollup().headNumber()).to.equal(accepted);
    expect(await r.rollup().nextMessageIndex()).to.be.at.most(nonce);
    expect(takenOverAt).to.equal(undefined);

    // The inactivity period ends: the rule lets the follower's key advance, and it includes the message.
    const openAt = (await r.rollup().openSequencingAt()) as bigint;
    const latest = BigInt((await r.l1.getBlock("latest"))?.timestamp ?? 0);
    if (openAt > latest) await increaseL1Time(r.l1, openAt - latest);
    await eventually(
      "the forced message consumed on L1 by the new sequencer's block",
      async () => ((await r.rollup().nextMessageIndex()) > nonce ? true : undefined),
      WAIT_MS,
    );
    const events = await r.rollup().queryFilter(r.rollup().filters.BlockAdvanced());
    const byNewSequencer = events.filter((e) => e.args.submitter === r.l1Wallet(TAKEOVER_ACCOUNT).address);
    expect(byNewSequencer.length).to.be.greaterThan(0);
    expect(takenOverAt).to.be.a("string");
    const newL2 = l2Of(takenOverAt as string);
    const status = (await newL2.send("rollup_getMessageStatus", [{ l1Nonce: `0x${nonce.toString(16)}` }])) as {
      status: string;
    };
    expect(status.status).to.equal("relayed");
    expect((await newL2.getBalance(userAddress)) - balanceBefore).to.equal(parseEther("1"));
    process.stderr.write(
      `      ${["--censor-mode never", "BATCH SUBMISSION STOPPED"]
        .map((fragment) => r.log.lines.find((line) => line.includes(fragment)))
        .join("\n      ")}\n`,
    );
  });
});
