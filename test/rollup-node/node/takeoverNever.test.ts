import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { JsonRpcProvider } from "ethers";
import hre from "hardhat";

import type { RollupContractArtifact } from "../../../deploy/contractArtifact";
import type { TakeoverNode } from "../../../rollup-node/node/takeover";
import {
  type E2eRollup,
  TAKEOVER_ACCOUNT,
  eventually,
  startE2eRollup,
  startE2eTakeover,
} from "../../e2e/support/harness";

/**
 * The trial of 29 Nov: a --takeover follower on a permissioned rollup (an Opti project from
 * `rollup:init --sequencing permissioned`) logged, at info, "the rollup lets 0x… advance from L1
 * time never (…)" and followed for good. It can never sequence there: a warning that says so, and
 * what would make it sequence.
 */
describe("take-over node whose key the rollup's rule never lets advance (permissioned): says it will only follow", function () {
  this.timeout(180_000);
  let r: E2eRollup;
  let node: TakeoverNode | undefined;
  let dataDir: string | undefined;

  before(async () => {
    const contract = (await hre.artifacts.readArtifact("PermissionedTestRollup")) as unknown as RollupContractArtifact;
    r = await startE2eRollup({ produceBlocks: false, contract, sequencing: "permissioned" });
    await r.devnet.node.stop();
    dataDir = mkdtempSync(path.join(tmpdir(), "takeover-never-"));
  });

  after(async () => {
    await node?.stop();
    await r?.stop();
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
  });

  it("warns once that this key never advances, naming the rollup's sequencer, and does not take over", async () => {
    const l1 = new JsonRpcProvider(r.devnet.l1Url, undefined, { staticNetwork: true, cacheTimeout: -1 });
    const substitute = r.devnet.accounts[TAKEOVER_ACCOUNT] as { address: string };
    try {
      node = await startE2eTakeover(r, {
        dataDir: dataDir as string,
        l1,
        account: TAKEOVER_ACCOUNT,
        onTakeover: () => undefined,
      });
      const takeoverLines = () => r.log.lines.filter((line) => line.includes("[takeover]"));
      await eventually("the take-over node's first line", async () => takeoverLines().length > 0 || undefined, 30_000);
      // Several polls later, still one line: it is said once.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      const lines = takeoverLines();
      expect(lines, lines.join("\n")).to.have.length(1);
      expect(lines[0]).to.match(/WARN/);
      expect(lines[0]).to.contain(`never lets ${substitute.address} advance`);
      expect(lines[0]).to.contain(r.devnet.keys.sequencer.address);
      expect(lines[0]).not.to.contain("from L1 time never");
      expect(node.sequencer).to.equal(undefined);
    } finally {
      await node?.stop();
      node = undefined;
      l1.destroy();
    }
  });
});
