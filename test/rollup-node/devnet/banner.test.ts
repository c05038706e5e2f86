import { expect } from "chai";
import { JsonRpcProvider } from "ethers";

import { devnetBanner } from "../../../rollup-node/devnet/banner";
import { type L1Devnet, startL1Devnet } from "../../../rollup-node/devnet/l1Devnet";

/** The endpoint row of `banner`: the one line that names the chain id, or a failure naming the banner. */
function endpointRow(banner: string): string {
  const rows = banner.split("\n").filter((l) => l.includes("chain id"));
  expect(rows, `not one line naming the chain id in:\n${banner}`).to.have.length(1);
  return rows[0] as string;
}

describe("L1-only devnet banner (npm run devnet:l1): what a user needs, once", () => {
  let devnet: L1Devnet;

  before(async () => {
    devnet = await startL1Devnet({ port: 0, chainId: 31337n });
  });

  after(async () => {
    await devnet.stop();
  });

  const banner = (): string =>
    devnetBanner(devnet, { fork: "osaka", blockTime: undefined, startupMs: 1_234, sinceCommandStartMs: 5_678 });

  it("starts with a ready line: the devnet's own start and the wait since the command started, in seconds", () => {
    const first = banner().split("\n")[0];
    expect(first).to.match(/^L1 devnet ready in 1\.2 s \(5\.7 s since the command started, loading included\)/);
    expect(first).to.include("in memory");
  });

  it("names the URL the devnet serves, its chain id, EXECUTE's address, the fork, the block gas limit and the mining", async () => {
    const l1 = endpointRow(banner());
    expect(l1).to.include(devnet.url as string);
    expect(l1).to.include("chain id 31337");
    expect(l1).to.include(`EXECUTE at ${devnet.executeAddress}`);
    expect(l1).to.include("fork osaka");
    expect(l1).to.include(`block gas limit ${devnet.chain.head.header.gasLimit}`);
    expect(l1).to.include("automine");
    // The URL and chain id printed are the ones a wallet reaches.
    const provider = new JsonRpcProvider(devnet.url as string);
    try {
      expect((await provider.getNetwork()).chainId).to.equal(31337n);
    } finally {
      provider.destroy();
    }
  });

  it("lists every dev account with its key and balance, and warns that the keys are public exactly once", () => {
    const text = banner();
    for (const [i, account] of devnet.accounts.entries()) {
      expect(text).to.include(`Account #${i}: ${account.address} (`);
      expect(text).to.include(`Private Key: ${account.privateKey}`);
    }
    expect(text.split("WARNING: These accounts, and their private keys, are publicly known.").length - 1).to.equal(1);
  });

  it("says what to run next: deploy a rollup on it, with the URL and --dev this devnet needs", () => {
    const tries = banner()
      .split("\n")
      .filter((l) => l.startsWith("Try: "));
    expect(tries).to.have.length(1);
    // Port 0 and chain 31337: not the defaults --network l1 dials and the dev keys are allowed on.
    expect(tries[0]).to.include(
      `L1_RPC_URL=${devnet.url as string} npx hardhat rollup:deploy --network l1 --dev --sequencer 0x`,
    );
    expect(tries[0]).to.include("rollup:node");
  });

  it("says a timed block interval instead of automine, and ends with how to stop", () => {
    const text = devnetBanner(devnet, { fork: "prague", blockTime: 2_000, startupMs: 10, sinceCommandStartMs: 20 });
    expect(endpointRow(text)).to.include("a block every 2000 ms");
    expect(text.trimEnd().split("\n").at(-1)).to.match(/Ctrl-C stops/);
  });
});
