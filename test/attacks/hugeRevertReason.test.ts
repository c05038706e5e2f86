import { RLP } from "@ethereumjs/rlp";
import { expect } from "chai";
import { AbiCoder, dataLength, getBytes } from "ethers";

import { verifyBlock } from "../../precompiles";
import { ExecuteError } from "../../precompiles/errors";
import { executeGasCostOfBlock } from "../../precompiles/gas";
import { challengeGasBound, maxCommittedBytes } from "../../rollup-node/bridge/challengeBound";
import { connectOptimisticRollup } from "../../rollup-node/bridge/contracts";
import { DEFAULT_L2_GAS_LIMIT } from "../../rollup-node/l2/genesis";
import {
  ATTACK_BOND,
  ATTACK_L2_CHAIN_ID,
  attackChallenger,
  attackL1,
  deployAttackRollup,
  passChallengeWindow,
} from "../support/attackL1";
import { TestSigner, word } from "../../tools/l2Fixtures";
import { L2TestChain } from "../../tools/l2TestChain";

const L2_CHAIN_ID = ATTACK_L2_CHAIN_ID;
const L1_TX_GAS_CAP = 1n << 24n;
const EMPTY_WITNESS = "0xc3c0c0c0";

/**
 * Attack (optimistic mode, "forge a proposal that cannot be challenged within one L1 transaction"):
 * `challengeGasBound` prices a challenge from the committed bytes and the header's gas limit, but
 * not from what EXECUTE *returns*. EXECUTE's revert reason echoes attacker bytes: a legacy
 * transaction whose nonce is a long byte string with a leading zero fails in EthereumJS with
 * "nonce cannot have leading zeroes, received: 0x00…" (the whole field in hex, 2 characters per byte),
 * and EXECUTE reports it as InvalidTransactions (code ≥ 64) with that message. The challenge then
 * copies the revert data into memory (tryExecute's `output`), decodes the string (a second copy),
 * ABI-encodes it again for `BlockChallenged` (a third) and logs it at 8 gas per byte: memory grows
 * quadratically in ≈ 3 × 2 × the field's size. The forged block's header is a valid child of the
 * tip, so `propose` accepts it; its challenge needs more than 2^24 gas and can never succeed.
 */
describe("attack: a forged block whose EXECUTE revert reason would echo its bytes", function () {
  this.timeout(300_000);
  const l1 = attackL1();

  it("is challenged within one 2^24-gas L1 transaction (EXECUTE's reasons are bounded, tryExecute copies a bounded prefix) and its forged state root never finalizes", async () => {
    const probe = await L2TestChain.create(L2_CHAIN_ID, []);
    const alice = TestSigner.fromSeed(5, probe.common);
    // The node's default gas limit.
    const chain = await L2TestChain.create(L2_CHAIN_ID, [{ address: alice.address.toString(), balance: 10n ** 20n }], {
      gasLimit: DEFAULT_L2_GAS_LIMIT,
    });
    const built = await chain.buildBlock(
      [TestSigner.fromSeed(5, chain.common).tx({ to: "0x00000000000000000000000000000000000000aa", value: 1n })],
      { discard: true },
    );

    // The built block's header (a valid child of the genesis) with a forged state root, and one
    // "transaction" whose nonce is a 0x00-led byte string sized to fill the joint rule's allowance.
    const [header] = RLP.decode(built.blockRlp) as unknown as [Uint8Array[]];
    const forgedRoot = `0x${word(0xbad)}`;
    const forgedHeader = [...header];
    forgedHeader[3] = getBytes(forgedRoot);
    const allowance = maxCommittedBytes(DEFAULT_L2_GAS_LIMIT) - built.parentHeader.length - dataLength(EMPTY_WITNESS);
    // A legacy transaction's nine fields after the nonce: gasPrice, gasLimit, to, value, data, v, r, s.
    const txFields = [
      new Uint8Array(),
      Uint8Array.of(1),
      getBytes("0x5208"),
      new Uint8Array(20).fill(0xaa),
      Uint8Array.of(1),
      new Uint8Array(),
      Uint8Array.of(0x1b),
      new Uint8Array(32).fill(1),
      new Uint8Array(32).fill(1),
    ];
    const encodeWith = (nonceLength: number): Uint8Array => {
      const nonce = new Uint8Array(nonceLength).fill(0xab);
      nonce[0] = 0;
      return RLP.encode([forgedHeader, [[nonce, ...txFields.slice(1)]], [], []] as never);
    };
    let nonceLength = allowance - 5_000;
    while (encodeWith(nonceLength + 1).length <= allowance) nonceLength++;
    const forged = encodeWith(nonceLength);
    const committed = built.parentHeader.length + forged.length + dataLength(EMPTY_WITNESS);
    expect(committed).to.be.lessThanOrEqual(maxCommittedBytes(DEFAULT_L2_GAS_LIMIT));

    // EXECUTE's verdict: invalid (code ≥ 64), with a reason twice the block's size.
    const verdict = await verifyBlock({
      chainId: L2_CHAIN_ID,
      parentHeader: built.parentHeader,
      block: forged,
      witness: getBytes(EMPTY_WITNESS),
    }).then(
      () => undefined,
      (error: unknown) => error as ExecuteError,
    );
    expect(verdict).to.be.instanceOf(ExecuteError);
    process.stderr.write(`      verdict code ${verdict?.code}\n`);
    expect(verdict?.code).to.be.greaterThanOrEqual(64);
    process.stderr.write(
      `      committed ${committed} B (block ${forged.length} B); EXECUTE's reason: ${verdict?.message.length} characters ("${verdict?.message.slice(0, 90)}…")\n`,
    );

    const deployed = await deployAttackRollup(l1, built.parentHeader);
    const { address, rollup } = deployed;

    // Accepted: the contract's own bound says its challenge fits one L1 transaction.
    expect(await rollup.challengeGasBound(committed, DEFAULT_L2_GAS_LIMIT)).to.be.lessThanOrEqual(L1_TX_GAS_CAP);
    await (
      await rollup.propose(built.parentHeader, forged, EMPTY_WITNESS, 0, {
        value: ATTACK_BOND,
        gasLimit: L1_TX_GAS_CAP,
      })
    ).wait();
    expect((await rollup.tip())[0]).to.equal(1n);

    // A challenge with EXECUTE's exact price and the whole 2^24 gas an L1 transaction may carry.
    const input = AbiCoder.defaultAbiCoder().encode(
      ["uint64", "bytes", "bytes", "bytes", "bytes"],
      [L2_CHAIN_ID, built.parentHeader, forged, EMPTY_WITNESS, "0x"],
    );
    const executeGas = executeGasCostOfBlock(dataLength(input), forged);
    const challenger = l1.wallet(1);
    const attempt = await connectOptimisticRollup(address, challenger)
      .challenge(1n, built.parentHeader, forged, EMPTY_WITNESS, executeGas, { gasLimit: L1_TX_GAS_CAP })
      .then(
        async (tx) =>
          tx.wait().then(
            (r) => ({ status: r?.status, gasUsed: r?.gasUsed }),
            async () => ({ status: 0, gasUsed: (await l1.provider.getTransactionReceipt(tx.hash))?.gasUsed }),
          ),
        (error: Error) => ({ status: -1, gasUsed: undefined, error: error.message.slice(0, 200) }),
      );
    process.stderr.write(
      `      challenge with gas limit 2^24 (bound ${challengeGasBound(committed, DEFAULT_L2_GAS_LIMIT)}): ${JSON.stringify(attempt, (_k, v) => (typeof v === "bigint" ? v.toString() : v))}\n`,
    );

    // The node's challenger, too, finds it invalid but cannot get a challenge through.
    const lines: string[] = [];
    const node = attackChallenger(l1, deployed, lines);
    await node.poll();
    process.stderr.write(`      challenger log:\n${lines.map((l) => `        ${l.slice(0, 240)}`).join("\n")}\n`);

    await passChallengeWindow(l1);
    const finalized = await rollup.finalize(1n).then(
      async (tx) => (await tx.wait())?.status === 1,
      () => false,
    );
    process.stderr.write(
      `      after the window: finalize(1) ${finalized ? "succeeded" : "failed"}; head ${await rollup.headNumber()}, stateRootOf(1) ${await rollup.stateRootOf(1n)}\n`,
    );

    // What must hold: the invalid block was removed by a challenge within one L1 transaction.
    expect(attempt.status, "a challenge within 2^24 gas should win").to.equal(1);
    expect(finalized, "the forged block should not finalize").to.equal(false);
    expect(await rollup.stateRootOf(1n)).to.not.equal(forgedRoot);
  });
});
