import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { hexlify, randomBytes } from "ethers";

import { DEFAULT_HARDFORK, type WriteRules } from "../../../precompiles";
import { writeGenesisFile } from "../../../rollup-node/chain/genesisFile";
import { silentLogger } from "../../../rollup-node/logger";
import { resolveAttesterCommand, startAttesterCommand } from "../../../rollup-node/node/attesterCommand";
import { AttesterPool } from "../../../rollup-node/provers/attesterPool";
import type { ForkConfig } from "../../../rollup-node/provers/attesterProtocol";
import { type AttesterServer, startAttesterServer } from "../../../rollup-node/provers/attesterServer";
import { devAttesterKeys } from "../../../rollup-node/provers/proofService";
import type { BuiltBlock } from "../../../tools/l2TestChain";
import {
  COUNTER_EXAMPLE_SETTERS,
  counterExampleChain,
  counterExampleData,
} from "../../../tools/writeRuleCounterExample";

const L2_CHAIN_ID = 919n;
/** Write-through until block 3 (a chain upgraded to per-block writes there): block 1 is recorded write-through. */
const SCHEDULE: WriteRules = [
  { rule: "write-through", block: 0n },
  { rule: "per-block", block: 3n },
];
/** The schedule as the attesters receive it (`ForkConfig.writeRules`: by chain id in decimal, activations in hex). */
const SCHEDULE_JSON = [
  { rule: "write-through", block: "0x0" },
  { rule: "per-block", block: "0x3" },
] as const;
const FORK: ForkConfig = { hardfork: DEFAULT_HARDFORK, eips: [] };
const SCHEDULED_FORK: ForkConfig = { ...FORK, writeRules: { [L2_CHAIN_ID.toString()]: SCHEDULE_JSON } };

/**
 * Proof mode's attesters verify each chain's blocks under the chain's write rules, as the L1's
 * EXECUTE does (consensus-rules.md §5): under the default rule they refused every block a chain's
 * genesis schedules under another (WitnessIncomplete), and a chain with a schedule got no proofs.
 */
describe("attesters verify under the chain's write rules", function () {
  this.timeout(300_000);
  let built: BuiltBlock;

  before(async () => {
    const { chain, alice, slots } = await counterExampleChain(L2_CHAIN_ID);
    built = await chain.buildBlock([alice.tx({ to: COUNTER_EXAMPLE_SETTERS[0], data: counterExampleData(slots) })], {
      writes: SCHEDULE,
    });
  });

  function params() {
    return { chainId: L2_CHAIN_ID, parentHeader: built.parentHeader, block: built.blockRlp, witness: built.witness };
  }

  it("attester processes given the chain's schedule sign its write-through block; without it they refuse it", async () => {
    const keys = devAttesterKeys("scheduled", 2);
    const specs = keys.map((privateKey, memberIndex) => ({ privateKey, memberIndex }));
    const scheduled = await AttesterPool.start(specs, SCHEDULED_FORK);
    const unscheduled = await AttesterPool.start(specs, FORK);
    try {
      const [signed, refused] = await Promise.all([scheduled.attest(params()), unscheduled.attest(params())]);
      expect(signed.refusals, "refused under the chain's schedule").to.deep.equal([]);
      expect(signed.attestations).to.have.length(2);
      expect(refused.attestations).to.have.length(0);
      expect(refused.refusals.join("; ")).to.match(/witness/i);
    } finally {
      await Promise.all([scheduled.close(), unscheduled.close()]);
    }
  });

  describe("an attester served over HTTP", () => {
    let withRules: AttesterServer;
    let withoutRules: AttesterServer;

    before(async () => {
      const [key] = devAttesterKeys("served", 1);
      withRules = await startAttesterServer({ privateKey: key, fork: SCHEDULED_FORK, port: 0, logger: silentLogger });
      withoutRules = await startAttesterServer({ privateKey: key, fork: FORK, port: 0, logger: silentLogger });
    });

    after(async () => {
      await withRules?.close();
      await withoutRules?.close();
    });

    it("given the chain's schedule signs its write-through block", async () => {
      const pool = await AttesterPool.connect([{ url: withRules.url }], SCHEDULED_FORK);
      try {
        const round = await pool.attest(params());
        expect(round.refusals).to.deep.equal([]);
        expect(round.attestations).to.have.length(1);
      } finally {
        await pool.close();
      }
    });

    it("without it is refused by a node whose chain schedules its rules: ATTESTER_WRITE_RULES_MISMATCH naming both", async () => {
      const refused = await AttesterPool.connect([{ url: withoutRules.url }], SCHEDULED_FORK).then(
        async (pool) => {
          await pool.close();
          return undefined;
        },
        (error: unknown) => error as Error & { code?: string; hint?: string },
      );
      expect(refused?.code, refused?.message).to.equal("ATTESTER_WRITE_RULES_MISMATCH");
      expect(refused?.message).to.contain(
        `chain ${L2_CHAIN_ID}'s write rules are per-block there, write-through from block 0, per-block from block 3 in the chain's genesis`,
      );
      expect(refused?.hint).to.contain("--genesis");
    });
  });

  it("rollup:attester --genesis FILE takes the chain's write rules from its genesis file and reports them on GET /", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "attester-genesis-"));
    const file = path.join(dir, "genesis.json");
    try {
      await writeGenesisFile(file, { chainId: L2_CHAIN_ID, timestamp: 0n, alloc: {}, writeRules: SCHEDULE });
      const options = await resolveAttesterCommand(["--port", "0", "--host", "127.0.0.1", "--genesis", file]);
      const server = await startAttesterCommand(options as NonNullable<typeof options>, {
        logger: () => silentLogger,
        env: { NATIVE_ROLLUP_ATTESTER_KEY: hexlify(randomBytes(32)) },
      });
      try {
        const info = (await (await fetch(server.url)).json()) as { fork: ForkConfig };
        expect(info.fork.writeRules).to.deep.equal({ [L2_CHAIN_ID.toString()]: SCHEDULE_JSON });
        const pool = await AttesterPool.connect([{ url: server.url }], SCHEDULED_FORK);
        await pool.close();
      } finally {
        await server.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
