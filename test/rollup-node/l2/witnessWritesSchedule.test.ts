import { MapDB, bytesToHex, setLengthLeft, toBytes } from "@ethereumjs/util";
import { expect } from "chai";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import {
  ExecuteErrorCode,
  type StoredValue,
  type VerifierWrites,
  type Witness,
  type WriteRules,
  encodeWitness,
} from "../../../precompiles";
import { keccak256 } from "../../../precompiles/crypto";
import { judgeBlock } from "../../../rollup-node/bridge/verdict";
import { Chain } from "../../../rollup-node/chain/chain";
import type { GenesisConfig } from "../../../rollup-node/chain/genesis";
import { readGenesisFile, writeGenesisFile } from "../../../rollup-node/chain/genesisFile";
import type { BlockRecord, MinedBlock } from "../../../rollup-node/chain/types";
import { l2Genesis } from "../../../rollup-node/l2/genesis";
import { TestSigner, word } from "../../../tools/l2Fixtures";
import { verifierOutcome } from "../../../tools/verifierOutcomes";
import { recaptureWitness } from "../../support/recaptureWitness";

/**
 * The node's recorder across a write-rule upgrade (consensus-rules.md §5): a chain whose genesis
 * schedules write-through below block 3 and per-block writes from it, mined to block 2, restarted
 * from its data and its genesis file (as the node restarts), then mined on. Every block is the s23
 * counter-example (K1 = 5, insert K3, K1 = 0), whose witness differs between the two rules: each
 * block's captured witness is the one of its own rule, and verifies under the chain's schedule.
 */

const CHAIN_ID = 919n;
const GENESIS_TIME = 1_800_000_000n;
const UPGRADE_BLOCK = 3n;
const SCHEDULE: WriteRules = [
  { rule: "write-through", block: 0n },
  { rule: "per-block", block: UPGRADE_BLOCK },
];
/** Calldata: (slot, value) word pairs; SSTOREs each in order. */
const SETTER_CODE = "0x60005b8036111560185780602001358135556040016002565b00";
const SETTERS = [1, 2, 3, 4].map((i) => `0x${(0x5e7720 + i).toString(16).padStart(40, "0")}`);

/** Three slots under different first nibbles of their hashed keys. */
function counterExampleSlots(): [bigint, bigint, bigint] {
  const nibble = (slot: bigint): number => keccak256(setLengthLeft(toBytes(slot), 32))[0] >> 4;
  const slots: bigint[] = [];
  for (let slot = 1n; slots.length < 3; slot++) if (!slots.some((s) => nibble(s) === nibble(slot))) slots.push(slot);
  return slots as [bigint, bigint, bigint];
}

const summary = (witness: Witness): string => {
  const encoded = encodeWitness(witness);
  return `${encoded.length} B ${bytesToHex(keccak256(encoded)).slice(0, 18)}`;
};

describe("the node's witness recorder across a write-rule upgrade, restarted at the boundary", function () {
  this.timeout(300_000);

  it("records each block under its own rule, before and after the restart", async () => {
    const [k1, k2, k3] = counterExampleSlots();
    const probe = await Chain.create({
      genesis: l2Genesis({ chainId: CHAIN_ID, timestamp: GENESIS_TIME, bridgeCode: "0x00" }),
    });
    const alice = TestSigner.fromSeed(51, probe.common);
    const genesis: GenesisConfig = l2Genesis({
      chainId: CHAIN_ID,
      timestamp: GENESIS_TIME,
      bridgeCode: "0x00",
      writeRules: SCHEDULE,
      alloc: {
        [alice.address.toString()]: { balance: 10n ** 21n },
        // One setter per block: each block's counter-example needs a storage trie of exactly K1 and K2.
        ...Object.fromEntries(
          SETTERS.map((setter) => [
            setter,
            {
              nonce: 1n,
              code: SETTER_CODE as `0x${string}`,
              storage: { [`0x${word(k1)}`]: "0x0a", [`0x${word(k2)}`]: "0x0b" } as Record<string, `0x${string}`>,
            },
          ]),
        ),
      },
    });
    const dir = await mkdtemp(join(tmpdir(), "write-rules-"));
    try {
      const file = join(dir, "genesis.json");
      await writeGenesisFile(file, genesis);
      const db = new MapDB<string, StoredValue>();
      const history: BlockRecord[] = [];
      let chain = await Chain.create({ genesis: await readGenesisFile(file), db });
      expect(chain.writeRules).to.deep.equal(SCHEDULE);
      const data = `0x${[
        [k1, 5n],
        [k3, 1n],
        [k1, 0n],
      ]
        .map(([slot, value]) => word(slot) + word(value))
        .join("")}`;
      const outcomes: string[] = [];
      for (const [index, setter] of SETTERS.entries()) {
        const number = BigInt(index + 1);
        if (number === UPGRADE_BLOCK) {
          // The node restarts at the boundary: its data and its genesis file, nothing else.
          chain = await Chain.create({ genesis: await readGenesisFile(file), db, history });
          expect(chain.head.header.number).to.equal(UPGRADE_BLOCK - 1n);
        }
        const mined: MinedBlock = await chain.mineBlock([alice.tx({ to: setter, data })], {
          captureWitness: true,
          timestamp: GENESIS_TIME + 12n * number,
        });
        expect(mined.skipped.map((s) => s.reason)).to.deep.equal([]);
        history.push(mined.record);
        const rule: VerifierWrites = number < UPGRADE_BLOCK ? "write-through" : "per-block";
        const wrong: VerifierWrites = rule === "per-block" ? "write-through" : "per-block";
        const recordedUnder = (writes: VerifierWrites): Promise<Witness> => recaptureWitness(chain, mined, { writes });
        const captured = mined.witness as Witness;
        const label = `block ${number}`;
        expect(summary(captured), `${label} recorded under ${rule}`).to.equal(summary(await recordedUnder(rule)));
        expect(summary(captured), `${label}: the rules' witnesses differ`).to.not.equal(
          summary(await recordedUnder(wrong)),
        );
        const block = mined.record.block;
        const built = { parentHeader: chain.resolveBlock(number - 1n).block.header.serialize() };
        const verdict = (witness: Witness, writes: WriteRules): Promise<string> =>
          verifierOutcome(CHAIN_ID, built, block.serialize(), encodeWitness(witness), { writes });
        const accepted = `valid ${bytesToHex(block.hash())} ${bytesToHex(block.header.stateRoot)}`;
        expect(await verdict(captured, SCHEDULE), label).to.equal(accepted);
        // The witness recorded under the other rule fails the schedule (a write-through witness
        // past the upgrade), or the schedule's witness fails the other rule (one before it).
        const failed =
          rule === "per-block" ? await verdict(await recordedUnder(wrong), SCHEDULE) : await verdict(captured, wrong);
        expect(failed, label).to.match(new RegExp(`^invalid ${ExecuteErrorCode.WitnessIncomplete}: `));
        // The challenger's check of the block as proposed with its committed witness: with the
        // chain's rules (what bridgeService passes it) the block stands; with today's default a
        // write-through block would be WitnessIncomplete, the proposer's fault: a valid block removed.
        const input = {
          chainId: CHAIN_ID,
          parentHeader: built.parentHeader,
          block: block.serialize(),
          witness: encodeWitness(captured),
        };
        expect(await judgeBlock({ ...input, writes: chain.writeRules }), label).to.deep.equal({ kind: "valid" });
        const byDefault = await judgeBlock(input);
        if (rule === "write-through")
          expect(byDefault, label).to.include({ kind: "invalid", code: ExecuteErrorCode.WitnessIncomplete });
        else expect(byDefault, label).to.deep.equal({ kind: "valid" });
        outcomes.push(`${label}: ${rule}`);
      }
      expect(outcomes).to.have.length(4);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
