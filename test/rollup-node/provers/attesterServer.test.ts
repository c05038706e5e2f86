import { expect } from "chai";
import { hexlify } from "ethers";

import { DEFAULT_HARDFORK } from "../../../rollup-node/chain/genesis";
import { silentLogger } from "../../../rollup-node/logger";
import { AttesterError, AttesterPool } from "../../../rollup-node/provers/attesterPool";
import { type AttesterServer, startAttesterServer } from "../../../rollup-node/provers/attesterServer";
import { TestSigner, tamperBlock } from "../../../tools/l2Fixtures";
import { type BuiltBlock, L2TestChain } from "../../../tools/l2TestChain";
import { freePort } from "../../support/freePort";

const CHAIN_ID = 913n;
const FORK = { hardfork: DEFAULT_HARDFORK, eips: [] };

describe("an attester served over HTTP", function () {
  this.timeout(120_000);
  let server: AttesterServer;
  let built: BuiltBlock;

  before(async () => {
    server = await startAttesterServer({
      privateKey: new Uint8Array(32).fill(7),
      fork: FORK,
      port: 0,
      logger: silentLogger,
    });
    const probe = await L2TestChain.create(CHAIN_ID, []);
    const alice = TestSigner.fromSeed(21, probe.common);
    const chain = await L2TestChain.create(CHAIN_ID, [{ address: alice.address.toString(), balance: 10n ** 18n }]);
    built = await chain.buildBlock([
      TestSigner.fromSeed(21, chain.common).tx({ to: "0x00000000000000000000000000000000000000aa", value: 1n }),
    ]);
  });

  after(async () => {
    await server?.close();
  });

  const request = (block: Uint8Array) => ({
    chainId: CHAIN_ID.toString(),
    parentHeader: hexlify(built.parentHeader),
    block: hexlify(block),
    witness: hexlify(built.witness),
  });

  it("says who it is: its public key and the fork rules it re-executes under", async () => {
    const info = (await (await fetch(`${server.url}/`)).json()) as { publicKey: [string, string]; fork: unknown };
    expect(info.publicKey).to.deep.equal(server.publicKey.map(String));
    expect(info.fork).to.deep.equal(FORK);
  });

  it("signs a block that verifies, and refuses one that does not, with EXECUTE's code", async () => {
    const pool = await AttesterPool.connect([{ url: server.url }], FORK);
    const signed = await pool.attest({
      chainId: CHAIN_ID,
      parentHeader: built.parentHeader,
      block: built.blockRlp,
      witness: built.witness,
    });
    expect(signed.attestations).to.have.length(1);
    expect(signed.commitment).to.be.a("bigint");
    const refused = (await (
      await fetch(`${server.url}/attest`, {
        method: "POST",
        body: JSON.stringify(request(tamperBlock(built.block, { stateRoot: new Uint8Array(32).fill(5) }))),
      })
    ).json()) as { ok: boolean; code?: number };
    expect(refused.ok).to.equal(false);
    expect(refused.code).to.be.a("number");
  });

  it("answers a malformed request with 400 and keeps serving", async () => {
    const bad = await fetch(`${server.url}/attest`, { method: "POST", body: "{not json" });
    expect(bad.status).to.equal(400);
    expect((await fetch(`${server.url}/`)).status).to.equal(200);
  });

  it("is refused by a node whose fork rules or pinned key differ", async () => {
    try {
      await AttesterPool.connect([{ url: server.url }], { hardfork: "prague", eips: [] });
      expect.fail("connected under other fork rules");
    } catch (error) {
      expect(error).to.be.instanceOf(AttesterError);
      expect((error as AttesterError).code).to.equal("ATTESTER_FORK_MISMATCH");
    }
    try {
      await AttesterPool.connect([{ url: server.url, publicKey: [1n, 2n] }], FORK);
      expect.fail("connected to another key");
    } catch (error) {
      expect((error as AttesterError).code).to.equal("ATTESTER_KEY_MISMATCH");
    }
  });

  it("is waited for at start when it is not up yet, and answers once up (one log line, no restart needed)", async () => {
    const port = await freePort();
    const told: string[] = [];
    const late = { key: new Uint8Array(32).fill(9) };
    let lateServer: AttesterServer | undefined;
    const starting = setTimeout(async () => {
      lateServer = await startAttesterServer({ privateKey: late.key, fork: FORK, port, logger: silentLogger });
    }, 3_000);
    try {
      // Before: AttesterError 'attester 0 at http://127.0.0.1:PORT did not answer: fetch failed' at once.
      const pool = await AttesterPool.connect([{ url: `http://127.0.0.1:${port}` }], FORK, {
        waitMs: 60_000,
        onWait: (message) => told.push(message),
      });
      try {
        expect(told).to.have.length(1);
        expect(told[0]).to.contain(`attester 0 at http://127.0.0.1:${port} does not answer yet`);
        expect(told[0]).to.contain("waiting up to 60 s");
        const round = await pool.attest({
          chainId: CHAIN_ID,
          parentHeader: built.parentHeader,
          block: built.blockRlp,
          witness: built.witness,
        });
        expect(round.attestations, round.refusals.join("; ")).to.have.length(1);
      } finally {
        await pool.close();
      }
    } finally {
      clearTimeout(starting);
      await lateServer?.close();
    }
  });

  it("refuses after the wait an attester that never answers, with the typed error", async () => {
    const port = await freePort();
    const begun = Date.now();
    try {
      await AttesterPool.connect([{ url: `http://127.0.0.1:${port}` }], FORK, { waitMs: 2_000 });
      expect.fail("connected to nothing");
    } catch (error) {
      expect(error).to.be.instanceOf(AttesterError);
      expect((error as AttesterError).code).to.equal("ATTESTER_UNREACHABLE");
      expect((error as AttesterError).message).to.contain(`http://127.0.0.1:${port} did not answer within 2 s`);
      expect((error as AttesterError).hint).to.contain("--attester-wait");
    }
    expect(Date.now() - begun).to.be.greaterThanOrEqual(1_500);
  });

  it("refuses a misconfigured attester at once, without waiting for it to change", async () => {
    const begun = Date.now();
    try {
      await AttesterPool.connect([{ url: server.url }], { hardfork: "prague", eips: [] }, { waitMs: 120_000 });
      expect.fail("connected under other fork rules");
    } catch (error) {
      expect((error as AttesterError).code).to.equal("ATTESTER_FORK_MISMATCH");
    }
    // A retry would last the whole 120 s wait (and this test's timeout).
    expect(Date.now() - begun).to.be.lessThan(60_000);
  });
});
