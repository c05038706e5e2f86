import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { Wallet, parseEther } from "ethers";

import type { GenesisConfig } from "../../rollup-node/chain/genesis";
import { readGenesisFile } from "../../rollup-node/chain/genesisFile";
import { DEPLOYMENT_FILE } from "../../rollup-node/devnet/defaults";
import { genesisSupply } from "../../rollup-node/l2/genesis";
import type { LoggerFactory } from "../../rollup-node/logger";
import { keyEnvNames } from "../../rollup-node/node/keySources";
import { devNodeKeys } from "../../rollup-node/node/keys";
import { DEV_GENESIS_ACCOUNT_BALANCE } from "../../rollup-node/node/l2Genesis";
import {
  type NodeCommandOptions,
  deployedGenesisFile,
  resolveNodeCommand,
  startNodeCommand,
} from "../../rollup-node/node/nodeCommand";
import { ExampleRollup__factory } from "../../typechain-types";
import { type E2eRollup, startE2eRollup } from "../e2e/support/harness";
import { runTask } from "../support/runTask";

/** Runs `run` with the deployer's and relayer's key variables as given (a developer's shell may have its own). */
async function withKeys(env: Record<string, string | undefined>, run: () => Promise<void>): Promise<void> {
  const names = [...Object.values(keyEnvNames("relayer")), ...Object.values(keyEnvNames("deployer"))];
  const saved = names.map((n) => [n, process.env[n]] as const);
  for (const n of names) delete process.env[n];
  for (const [n, v] of Object.entries(env)) if (v !== undefined) process.env[n] = v;
  try {
    await run();
  } finally {
    for (const n of names) delete process.env[n];
    for (const [n, v] of saved) if (v !== undefined) process.env[n] = v;
  }
}

/** A genesis's funded accounts, address → balance (lower-case). */
/**
 * Starts the node command on a deployment record (no --genesis), stops it once it is up, and
 * returns what it logged, each line prefixed with its component.
 */
async function nodeCommandLines(
  record: string,
  l1Url: string,
  dataDir: string,
  env: Record<string, string>,
): Promise<string[]> {
  const lines: string[] = [];
  const logger: LoggerFactory = (component) => {
    const push = (m: string): void => void lines.push(`${component} ${m}`);
    return { info: push, warn: push, error: push, debug: push };
  };
  const options = (await resolveNodeCommand([
    "--deployment",
    record,
    "--l1-rpc",
    l1Url,
    "--port",
    "0",
    "--data-dir",
    dataDir,
  ])) as NodeCommandOptions;
  const node = await startNodeCommand(options, { logger, env });
  await node.stop();
  return lines;
}

const funding = (genesis: GenesisConfig): Record<string, bigint> =>
  Object.fromEntries(
    Object.entries(genesis.alloc)
      .filter(([, account]) => (account.balance ?? 0n) > 0n)
      .map(([address, account]) => [address.toLowerCase(), account.balance as bigint]),
  );

describe("a dev genesis of one's own on the devnet: rollup:genesis --dev, rollup:deploy and rollup:node agree", function () {
  this.timeout(300_000);
  let r: E2eRollup;
  let dir: string;

  before(async () => {
    r = await startE2eRollup({ produceBlocks: false });
    dir = mkdtempSync(path.join(tmpdir(), "dev-genesis-"));
  });

  after(async () => {
    await r?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("rollup:genesis --dev backs no more than the devnet's deployer holds: a deploy on the devnet right after it goes through with no extra funds", async () => {
    await withKeys({}, async () => {
      const genesis = path.join(dir, "genesis.json");
      await runTask("rollup:genesis", { out: genesis, dev: true });
      const record = path.join(dir, "deployment.json");
      const out = await runTask("rollup:deploy", { genesis, l1Rpc: r.devnet.l1Url, out: record });
      // The genesis is the caller's file: the node command printed names it, as the L1 banner promises.
      expect(out).to.contain(
        `run the node with npx hardhat rollup:node --deployment ${record} --genesis ${genesis} --l1-rpc ${r.devnet.l1Url}`,
      );
      const written = await readGenesisFile(genesis);
      const funded = funding(written);
      expect(funded[devNodeKeys().relayer.address.toLowerCase()]).to.equal(parseEther("1"));
      expect(funded[r.devnet.accounts[0]?.address.toLowerCase() as string]).to.equal(DEV_GENESIS_ACCOUNT_BALANCE);
      const address = /deployed at (0x[0-9a-fA-F]{40})/.exec(out)?.[1];
      expect(address, out).to.be.a("string");
      // The whole supply is backed on L1, by the devnet's account #0 and its 10,000 ETH alone.
      expect(genesisSupply(written)).to.equal(10n * DEV_GENESIS_ACCOUNT_BALANCE + parseEther("1"));
      expect(await ExampleRollup__factory.connect(address as string, r.l1).genesisSupply()).to.equal(
        genesisSupply(written),
      );
    });
  });

  it("with NATIVE_ROLLUP_RELAYER_KEY set, rollup:genesis --dev and rollup:deploy's own dev genesis fund that relayer with the same balances, and rollup:node rebuilds that genesis from the record and relays with that key", async () => {
    const relayer = Wallet.createRandom();
    const env = { [keyEnvNames("relayer").key]: relayer.privateKey };
    await withKeys(env, async () => {
      const written = path.join(dir, "relayer-genesis.json");
      await runTask("rollup:genesis", { out: written, dev: true });
      const record = path.join(dir, "own-relayer.json");
      await runTask("rollup:deploy", { l1Rpc: r.devnet.l1Url, out: record });
      const built = await readGenesisFile(deployedGenesisFile(record));
      expect(funding(built)).to.deep.equal(funding(await readGenesisFile(written)));
      expect(funding(built)[relayer.address.toLowerCase()]).to.equal(parseEther("1"));

      // The node command, given the record alone (no --genesis), rebuilds that genesis and relays with the key.
      const lines = await nodeCommandLines(record, r.devnet.l1Url, path.join(dir, "own-relayer-l2"), env);
      expect(
        lines.some((l) => /L2 genesis 0x[0-9a-f]{64} matches the rollup/.test(l)),
        lines.join("\n"),
      ).to.equal(true);
      expect(lines).to.include(`node relayer ${relayer.address} (key from env)`);
    });
  });

  it("rollup:node on the devnet's record, with no relayer key set, relays with the devnet's own key and names its source: the record, not the dev mnemonic (trial s29)", async () => {
    await withKeys({}, async () => {
      const record = JSON.parse(readFileSync(path.join(r.devnet.dataDir, DEPLOYMENT_FILE), "utf8")) as {
        relayerKey?: string;
      };
      expect(record.relayerKey, "the devnet records its own relayer key").to.be.a("string");
      const own = new Wallet(record.relayerKey as string).address;
      expect(own).to.not.equal(devNodeKeys().relayer.address);
      const lines = await nodeCommandLines(
        path.join(r.devnet.dataDir, DEPLOYMENT_FILE),
        r.devnet.l1Url,
        path.join(dir, "recorded-relayer-l2"),
        {},
      );
      expect(lines, lines.join("\n")).to.include(`node relayer ${own} (key from the deployment record)`);
    });
  });
});
