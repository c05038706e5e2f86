import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import { DEFAULT_L2_CHAIN_ID } from "../../rollup-node/devnet/defaults";
import { type L1Devnet, startL1Devnet } from "../../rollup-node/devnet/l1Devnet";
import { runTask } from "../support/runTask";

/** An L1 that is not the devnet's (chain 1337): where rollups other people use are deployed. */
const OTHER_L1_CHAIN_ID = 31_337n;

describe("rollup:deploy off the devnet warns when the L2 keeps the framework's default chain id", function () {
  this.timeout(300_000);
  let l1: L1Devnet;
  let dir: string;

  before(async () => {
    l1 = await startL1Devnet({ port: 0, chainId: OTHER_L1_CHAIN_ID });
    dir = mkdtempSync(path.join(tmpdir(), "default-chain-id-"));
  });

  after(async () => {
    await l1?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const deployWith = (args: Record<string, unknown>, name: string): Promise<string> =>
    runTask("rollup:deploy", {
      l1Rpc: l1.url as string,
      dev: true,
      sequencer: "0x000000000000000000000000000000000000dEaD",
      out: path.join(dir, `${name}.json`),
      ...args,
    });

  it(`names ${DEFAULT_L2_CHAIN_ID} as shared by every rollup that keeps it, and how to choose another`, async () => {
    const out = await deployWith({}, "default");
    expect(out).to.match(/deployed at 0x[0-9a-fA-F]{40}/);
    const warning = out.split("\n").find((line) => line.startsWith("warning: L2 chain id"));
    expect(warning, out).to.include(`${DEFAULT_L2_CHAIN_ID} is the framework's default`);
    expect(warning).to.include("EIP-155");
    expect(warning).to.include("rollup.l2ChainId");
  });

  it("says nothing of it for a chain id of the rollup's own", async () => {
    const out = await deployWith({ l2ChainId: 777_001 }, "own");
    expect(out).to.match(/L2 chain id 777001/);
    expect(out).to.not.include("warning: L2 chain id");
  });
});
