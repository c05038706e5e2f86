import { expect } from "chai";
import { Wallet, parseEther } from "ethers";

import { keyOrigin, rollupDevnetBanner } from "../../../rollup-node/devnet/rollupBanner";
import type { RollupDevnet } from "../../../rollup-node/devnet/rollupDevnet";
import { devNodeKeys, recordedRelayer } from "../../../rollup-node/node/keys";

/** What the banner reads of a running devnet: an optimistic deployment of a project's own contract. */
function devnetWith(contractName: string): RollupDevnet {
  const address = (n: number): string => `0x${n.toString(16).padStart(40, "0")}`;
  const record = {
    startupMs: 1_500,
    dataDir: "/tmp/devnet",
    l1Url: "http://127.0.0.1:8545",
    l2Url: "http://127.0.0.1:9545",
    l1ChainId: 31337n,
    l2ChainId: 42069n,
    l1GasLimit: 60_000_000n,
    l1: { executeAddress: address(0x101) },
    node: { dashboard: undefined },
    deployment: {
      contractName,
      address: address(0xabc),
      deployBlock: 3,
      optimistic: { challengeWindow: 60n, proposalBond: parseEther("0.01") },
      policy: { sequencerInactivityPeriod: 3600n, forceInclusionDelay: 600n },
    },
    keys: {
      sequencer: { address: address(1) },
      relayer: { address: address(2) },
      challenger: { address: address(3) },
    },
    sequencing: { kind: "fallback", inactivityPeriod: 3600n },
    accounts: [],
  };
  return record as unknown as RollupDevnet;
}

/** The lines of the banner's section `title`, up to the blank line that ends it. */
function section(banner: string, title: string): string[] {
  const lines = banner.split("\n");
  const start = lines.indexOf(title) + 2;
  const end = lines.indexOf("", start);
  return lines.slice(start, end);
}

/** Where each line's value starts: after the label and the run of spaces that pads it. */
const valueColumn = (line: string): number => /^.+?\S {2,}(?=\S)/.exec(line)?.[0].length ?? -1;

describe("devnet banner: its columns line up whatever the contract's name", () => {
  for (const name of ["ExampleRollup", "MyProjectsVeryLongOptimisticRollupWithFees"]) {
    it(`every row of "Contracts" starts its value in one column (${name})`, () => {
      const rows = section(rollupDevnetBanner(devnetWith(name), { l2BlockTimeMs: 1000, resumed: false }), "Contracts");
      expect(rows.map((r) => r.split(/ {2,}/)[0])).to.deep.equal([
        `${name} (L1)`,
        "Optimistic mode",
        "L2Bridge (L2)",
        "Sequencing",
        "Force inclusion",
      ]);
      const columns = rows.map(valueColumn);
      expect(new Set(columns).size, rows.join("\n")).to.equal(1);
      expect(columns[0]).to.equal(`${name} (L1)`.length + 3);
    });
  }

  it("shows what applies for each sequencing rule: an inactivity period only under fallback", () => {
    const banner = (sequencing: RollupDevnet["sequencing"]): string =>
      section(
        rollupDevnetBanner({ ...devnetWith("ExampleRollup"), sequencing }, { l2BlockTimeMs: 1000, resumed: false }),
        "Contracts",
      ).join("\n");
    const based = banner({ kind: "based" });
    expect(based).to.contain("based: anyone may advance at any time");
    expect(based).to.not.match(/inactiv|silent/);
    const permissioned = banner({ kind: "permissioned" });
    expect(permissioned).to.contain("only the sequencer may advance");
    expect(permissioned).to.not.match(/inactiv|silent/);
    expect(banner({ kind: "fallback", inactivityPeriod: 3600n })).to.contain(
      "fallback: the sequencer, or anyone once it has been silent for 3600 s",
    );
  });

  it("says a rule L1 could not confirm is the config's word, not a fact", () => {
    const rows = section(
      rollupDevnetBanner(
        { ...devnetWith("ExampleRollup"), sequencingUnconfirmed: "anyone may advance now" },
        { l2BlockTimeMs: 1000, resumed: false },
      ),
      "Contracts",
    ).join("\n");
    expect(rows).to.contain(
      "(declared in config, rollup.sequencing.rule; not confirmed on L1: anyone may advance now)",
    );
    expect(rows).to.not.contain("checked on L1");
    const checked = section(
      rollupDevnetBanner(devnetWith("ExampleRollup"), { l2BlockTimeMs: 1000, resumed: false }),
      "Contracts",
    ).join("\n");
    expect(checked).to.contain("(the contract's, checked on L1)");
  });

  it("the endpoints line up: L1, L2 and the dashboard start their URLs in one column, and what follows the chain ids too", () => {
    const devnet = {
      ...devnetWith("ExampleRollup"),
      l1ChainId: 1337n,
      node: { dashboard: {} },
    } as unknown as RollupDevnet;
    const lines = rollupDevnetBanner(devnet, { l2BlockTimeMs: 1000, resumed: false }).split("\n");
    const rows = lines.filter((l) => /^(L1|L2|Dashboard) /.test(l));
    expect(rows).to.have.length(3);
    expect(new Set(rows.map((r) => r.indexOf("http://"))).size, rows.join("\n")).to.equal(1);
    const l1 = rows[0] as string;
    const l2 = rows[1] as string;
    expect(l1.indexOf("EXECUTE at"), rows.join("\n")).to.equal(l2.indexOf("block time"));
  });

  it("the node keys line up too", () => {
    const rows = section(
      rollupDevnetBanner(devnetWith("ExampleRollup"), { l2BlockTimeMs: 1000, resumed: false }),
      "Node keys",
    );
    expect(rows).to.have.length(3);
    expect(new Set(rows.map(valueColumn)).size, rows.join("\n")).to.equal(1);
  });
});

describe("devnet banner: each node key says where it comes from, as the node command and rollup:genesis --dev pick it", () => {
  it("the devnet's relayer is its own key, kept in its record (what rollup:node on that record relays with), not the dev mnemonic's #11 that rollup:genesis --dev funds; the sequencer and challenger are the mnemonic's", () => {
    const dev = devNodeKeys();
    const own = Wallet.createRandom().address;
    const devnet = {
      ...devnetWith("ExampleRollup"),
      keys: { sequencer: dev.sequencer, relayer: { address: own }, challenger: dev.challenger },
    } as unknown as RollupDevnet;
    const banner = rollupDevnetBanner(devnet, { l2BlockTimeMs: 1000, resumed: false });
    expect(banner).to.not.contain("Node keys (dev mnemonic)");
    const rows = section(banner, "Node keys");
    expect(rows.find((r) => r.startsWith("Relayer (L2)"))).to.contain(
      `${own}   (this devnet's own key, kept in /tmp/devnet/rollup.json; not the dev mnemonic's #11)`,
    );
    expect(rows.find((r) => r.startsWith("Sequencer"))).to.contain(`${dev.sequencer.address}   (dev mnemonic #10)`);
    expect(rows.find((r) => r.startsWith("Challenger"))).to.contain(`${dev.challenger?.address}   (dev mnemonic #12)`);
    // The node command on the devnet's record relays with the recorded key: the address shown.
    const key = Wallet.createRandom();
    const recorded = recordedRelayer({ relayerKey: key.privateKey as `0x${string}` }, 0n);
    expect(keyOrigin({ ...devnet, keys: { ...devnet.keys, relayer: recorded } }, "relayer")).to.contain("own key");
    expect(recorded.address).to.equal(key.address);
    // A record without one (rollup:deploy's) falls back to the dev node's relayer, as rollup:genesis --dev funds.
    expect(recordedRelayer({}, 0n).address).to.equal(dev.relayer.address);
  });
});

describe("devnet banner: the accounts' balances are what they are said to be", () => {
  const account = {
    address: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
    privateKey: "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    balance: parseEther("10000"),
  };
  const devnet = { ...devnetWith("ExampleRollup"), accounts: [account] } as unknown as RollupDevnet;
  const accountLine = (banner: string): string | undefined =>
    banner.split("\n").find((l) => l.startsWith("Account #0"));

  it("a fresh chain shows each account's balance as it is: its genesis funding", () => {
    const banner = rollupDevnetBanner(devnet, { l2BlockTimeMs: 1000, resumed: false });
    expect(accountLine(banner)).to.equal(`Account #0: ${account.address} (10000.0 ETH)`);
  });

  it("a resumed chain says the balance is the genesis funding: the chain's transactions since may have moved it", () => {
    const banner = rollupDevnetBanner(devnet, { l2BlockTimeMs: 1000, resumed: true });
    expect(accountLine(banner)).to.equal(`Account #0: ${account.address} (10000.0 ETH at genesis)`);
  });
});

describe("devnet banner: how to resume", () => {
  it("names what a run must keep to resume the chain: its data directory, and no --reset (a run made with --reset and run again as it is would start over)", () => {
    const lines = rollupDevnetBanner(devnetWith("ExampleRollup"), { l2BlockTimeMs: 1000, resumed: false }).split("\n");
    expect(lines.find((l) => l.includes("resume"))).to.equal(
      "Run again on /tmp/devnet, without --reset, to resume this chain; --reset starts from genesis. Ctrl-C stops.",
    );
  });
});

describe("devnet banner: how long the start took", () => {
  const devnet = { ...devnetWith("ExampleRollup"), startupMs: 3_200 } as unknown as RollupDevnet;

  it("beside the devnet's own start, the wait since the command started (Hardhat's loading and a first compile included), when the foreground command gives it", () => {
    const first = rollupDevnetBanner(devnet, { l2BlockTimeMs: 1000, resumed: false, sinceCommandStartMs: 38_000 });
    expect(first.split("\n")[0]).to.match(
      /^Native rollup devnet ready in 3\.2 s \(38\.0 s since the command started, loading and compiling included\); fresh chain in /,
    );
    const inProcess = rollupDevnetBanner(devnet, { l2BlockTimeMs: 1000, resumed: true });
    expect(inProcess.split("\n")[0]).to.match(/^Native rollup devnet ready in 3\.2 s; resumed from /);
  });
});
