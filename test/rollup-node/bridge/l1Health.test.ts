import { type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";

import { expect } from "chai";
import { JsonRpcProvider, parseEther } from "ethers";

import { type RollupStatus, decodeRollupStatus, describeL1Health } from "../../../protocol";
import { connectRollup } from "../../../rollup-node/bridge/contracts";
import { L1HealthMonitor } from "../../../rollup-node/bridge/l1Health";
import { createRollupMethods } from "../../../rollup-node/bridge/rpcMethods";
import type { StatusContext } from "../../../rollup-node/bridge/status";
import { type L1Devnet, startL1Devnet } from "../../../rollup-node/devnet/l1Devnet";
import type { RpcBackend } from "../../../rollup-node/rpc/backend";
import { type DevnetSequencer, deployDevnetRollup, startDevnetSequencer } from "../../../tools/devnetSequencer";

// rollup_status read L1 for every answer and failed whole when L1 did not answer, so a node whose
// L1 had stopped (or lost the rollup) could not say so: the reason was only in its log.
describe("rollup_status reports the node's L1: ok, unreachable (stopped), rollup-missing (code gone, a fresh L1), and back", function () {
  this.timeout(120_000);
  let devnet: DevnetSequencer<JsonRpcProvider>;
  let fresh: L1Devnet | undefined;
  let rollupAddress: string;
  let status: () => Promise<RollupStatus>;
  let clock = 1_700_000_000_000;

  before(async () => {
    devnet = await startDevnetSequencer({
      chainId: 783n,
      sequencerBalance: parseEther("1000000"),
      dirPrefix: "l1-health-",
    });
    ({ address: rollupAddress } = await deployDevnetRollup(devnet));
    const ctx: StatusContext = {
      sequencer: devnet.sequencer,
      rollup: connectRollup(rollupAddress, devnet.provider),
      rollupAddress,
      l1Provider: devnet.provider,
      l1Health: new L1HealthMonitor({ provider: devnet.provider, rollupAddress, now: () => clock }),
    };
    const methods = createRollupMethods(ctx);
    // Over the wire's codec, as the SDK reads it.
    status = async () =>
      decodeRollupStatus(
        (await methods.rollup_status([], undefined as unknown as RpcBackend)) as Record<string, unknown>,
      );
  });

  after(async () => {
    await fresh?.stop();
    await devnet.stop().catch(() => undefined);
  });

  it("reports ok with the L1 head it read", async () => {
    const s = await status();
    expect(s.l1).to.deep.equal({ state: "ok", head: s.l1Head });
    expect(s.l1Head).to.equal(BigInt(await devnet.provider.getBlockNumber()));
    expect(describeL1Health(s.l1)).to.equal(`ok, head ${s.l1Head}`);
  });

  it("reports rollup-missing once the rollup's code is gone, since the first time it saw it, and ok again when it is back", async () => {
    const code = await devnet.provider.getCode(rollupAddress);
    const before = await status();
    await devnet.provider.send("hardhat_setCode", [rollupAddress, "0x"]);
    const missing = await status();
    expect(missing.l1).to.deep.equal({
      state: "rollup-missing",
      address: rollupAddress,
      since: BigInt(clock / 1000),
    });
    // The L1 fields are the last read, not zeros.
    expect(missing.acceptedL2HeadHash).to.equal(before.acceptedL2HeadHash);
    expect(missing.l1MessageCount).to.equal(before.l1MessageCount);
    clock += 5_000;
    expect((await status()).l1).to.deep.include({ state: "rollup-missing", since: BigInt((clock - 5_000) / 1000) });
    expect(describeL1Health(missing.l1)).to.include(`no rollup contract at ${rollupAddress}`);

    await devnet.provider.send("hardhat_setCode", [rollupAddress, code]);
    const back = await status();
    expect(back.l1).to.deep.equal({ state: "ok", head: back.l1Head });
  });

  // rollup_status had no bound of its own: an L1 that accepts and never answers held it for the
  // provider's own timeout (ethers': 5 minutes), the dashboard's and rollup:status's with it.
  it("reports unreachable within its bound when its L1 accepts and never answers, and ok once it answers again", async () => {
    const bound = 3_000;
    let hanging = false;
    const held: ServerResponse[] = [];
    // The L1 behind an HTTP server of the test's: forwards to the devnet, or holds each request.
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        if (hanging) return void held.push(response);
        fetch(devnet.l1.url as string, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: Buffer.concat(chunks),
        })
          .then(async (answer) => response.writeHead(answer.status).end(await answer.text()))
          .catch(() => response.destroy());
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const provider = new JsonRpcProvider(`http://127.0.0.1:${port}`);
    const ctx: StatusContext = {
      sequencer: devnet.sequencer,
      rollup: connectRollup(rollupAddress, provider),
      rollupAddress,
      l1Provider: provider,
      l1Health: new L1HealthMonitor({ provider, rollupAddress, now: () => clock, timeoutMs: bound }),
    };
    const methods = createRollupMethods(ctx);
    const viaProxy = async (): Promise<RollupStatus> =>
      decodeRollupStatus(
        (await methods.rollup_status([], undefined as unknown as RpcBackend)) as Record<string, unknown>,
      );
    // An L1 that answers, read until a status is ok: on a loaded machine (load 20-36) a read of the
    // answering devnet can itself exceed a short bound, which is what the bound is for.
    const answered = async (): Promise<RollupStatus> => {
      let status = await viaProxy();
      for (let i = 0; i < 5 && status.l1.state !== "ok"; i++) status = await viaProxy();
      return status;
    };
    try {
      const before = await answered();
      expect(before.l1.state).to.equal("ok");
      hanging = true;
      const started = performance.now();
      const hung = await viaProxy();
      const tookMs = performance.now() - started;
      expect(hung.l1).to.deep.equal({
        state: "unreachable",
        since: BigInt(clock / 1000),
        error: `the L1 read timed out after ${bound} ms`,
      });
      expect(held.length, "the L1 was asked and held the requests").to.be.greaterThan(0);
      // The bound and the status's own work (a loaded machine's slack), not the provider's 5 minutes.
      expect(tookMs)
        .to.be.at.least(bound - 50)
        .and.below(bound + 10_000);
      // The rest of the status answers: the L2 side now, the L1 fields as last read.
      expect(hung.l2Head).to.equal(devnet.sequencer.chain.headNumber);
      expect(hung.acceptedL2HeadHash).to.equal(before.acceptedL2HeadHash);
      // The L1 answers again, its held connections dropped (as a restarted L1's are): ethers'
      // provider shares one pending network detection, which would otherwise hold every read.
      hanging = false;
      for (const response of held.splice(0)) response.destroy();
      expect((await answered()).l1.state).to.equal("ok");
    } finally {
      for (const response of held) response.destroy();
      provider.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("reports unreachable while its L1 is stopped, and rollup-missing on a fresh L1 at the same URL", async () => {
    const last = await status();
    const port = devnet.l1.port as number;
    await devnet.l1.stop();
    clock += 60_000;
    const down = await status();
    expect(down.l1.state).to.equal("unreachable");
    if (down.l1.state !== "unreachable") return;
    expect(down.l1.since).to.equal(BigInt(clock / 1000));
    expect(down.l1.error).to.be.a("string").and.not.equal("");
    expect(down.l1Head).to.equal(last.l1Head);
    expect(down.l2Head).to.equal(last.l2Head);
    expect(describeL1Health(down.l1)).to.match(/^UNREACHABLE since /);

    // A fresh L1 (a devnet restarted without its data) answers, but holds no rollup.
    fresh = await startL1Devnet({ port });
    const reset = await status();
    expect(reset.l1).to.deep.equal({ state: "rollup-missing", address: rollupAddress, since: BigInt(clock / 1000) });
  });
});
