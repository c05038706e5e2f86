import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { Contract, JsonRpcProvider, Wallet, parseEther } from "ethers";

import {
  type OptimisticParams,
  type ProofPolicyParams,
  type RollupDeployment,
  deployRollup,
  saveDeployment,
} from "../../../deploy/rollup";
import type { GenesisConfig } from "../../../rollup-node/chain/genesis";
import { readGenesisFile, writeGenesisFile } from "../../../rollup-node/chain/genesisFile";
import { DEFAULT_DEV_BALANCE, deriveDevAccounts } from "../../../rollup-node/chain/devAccounts";
import { type L1Devnet, startL1Devnet } from "../../../rollup-node/devnet/l1Devnet";
import { devnetGenesis, genesisCommitments } from "../../../rollup-node/devnet/rollupDevnet";
import { genesisSupply } from "../../../rollup-node/l2/genesis";
import type { LoggerFactory } from "../../../rollup-node/logger";
import {
  type NodeCommandOptions,
  deployedGenesisFile,
  resolveNodeCommand,
  startNodeCommand,
} from "../../../rollup-node/node/nodeCommand";
import { NODE_OPTIONS, nodeHelp } from "../../../rollup-node/node/nodeOptions";
import { devNodeKeys } from "../../../rollup-node/node/keys";
import { DEFAULT_PROPOSAL_SLACK_SHARE } from "../../../rollup-node/l2/proposalSlack";
import { DEFAULT_L1_POLL_MS, MIN_L1_POLL_MS } from "../../../rollup-node/bridge/l1Polling";

/** Not the devnet's 1337: an L1 where the public dev keys must be refused. */
const OTHER_L1_CHAIN_ID = 31_337n;
const L2_CHAIN_ID = 777n;

/** Each line as `component message`, or `level component message` with `levels`. */
function collectingLogger(lines: string[], levels = false): LoggerFactory {
  return (component) => ({
    info: (m) => lines.push(`${levels ? "info " : ""}${component} ${m}`),
    warn: (m) => lines.push(`${levels ? "warn " : ""}${component} ${m}`),
    error: (m) => lines.push(`${levels ? "error " : ""}${component} ${m}`),
    debug: (m) => lines.push(`${levels ? "debug " : ""}${component} ${m}`),
  });
}

/** Deploys a rollup for `genesis` with dev account #0 and writes its record to `record`. */
async function deployForGenesis(
  l1Url: string,
  genesis: GenesisConfig,
  sequencerAddress: string,
  record: string,
  proofPolicy?: ProofPolicyParams,
  optimistic?: OptimisticParams,
): Promise<RollupDeployment> {
  const provider = new JsonRpcProvider(l1Url, undefined, { staticNetwork: true, cacheTimeout: -1 });
  try {
    const deployer = new Wallet(deriveDevAccounts(1)[0]?.privateKey as string, provider);
    const { hash, stateRoot } = await genesisCommitments(genesis);
    const deployment = await deployRollup(deployer, {
      l2ChainId: genesis.chainId,
      genesisBlockHash: hash,
      genesisStateRoot: stateRoot,
      sequencer: sequencerAddress,
      genesisSupply: genesisSupply(genesis),
      ...(proofPolicy === undefined ? {} : { proofPolicy }),
      ...(optimistic === undefined ? {} : { optimistic }),
    });
    await saveDeployment(record, deployment);
    return deployment;
  } finally {
    provider.destroy();
  }
}

async function expectCode(run: () => Promise<unknown>, code: string): Promise<Error & { hint: string }> {
  try {
    await run();
  } catch (error) {
    expect((error as { code?: string }).code, (error as Error).message).to.equal(code);
    expect((error as { hint?: string }).hint)
      .to.be.a("string")
      .and.not.equal("");
    return error as Error & { hint: string };
  }
  return expect.fail(`expected ${code}`);
}

describe("the node command: options, genesis file, keys", function () {
  this.timeout(300_000);
  let dir: string;
  let l1: L1Devnet;
  let deployment: RollupDeployment;
  const sequencer = Wallet.createRandom();
  const relayer = Wallet.createRandom();
  const keysEnv = { NATIVE_ROLLUP_SEQUENCER_KEY: sequencer.privateKey, NATIVE_ROLLUP_RELAYER_KEY: relayer.privateKey };
  let base: NodeCommandOptions;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "node-command-"));
    l1 = await startL1Devnet({
      port: 0,
      chainId: OTHER_L1_CHAIN_ID,
      alloc: { [sequencer.address]: { balance: parseEther("100") } },
    });
    const genesis = devnetGenesis({}, L2_CHAIN_ID, BigInt(Math.floor(Date.now() / 1000)) - 10n, [
      { address: relayer.address, balance: parseEther("1") },
    ]);
    await writeGenesisFile(path.join(dir, "genesis.json"), genesis);
    const other = devnetGenesis({}, L2_CHAIN_ID, 1_000n, [{ address: relayer.address, balance: parseEther("1") }]);
    await writeGenesisFile(path.join(dir, "other-genesis.json"), other);
    deployment = await deployForGenesis(
      l1.url as string,
      genesis,
      sequencer.address,
      path.join(dir, "deployment.json"),
    );
    base = (await resolveNodeCommand([
      "--deployment",
      path.join(dir, "deployment.json"),
      "--genesis",
      path.join(dir, "genesis.json"),
      "--l1-rpc",
      l1.url as string,
      "--port",
      "0",
      "--block-time",
      "200",
      "--empty-blocks",
      "--data-dir",
      path.join(dir, "l2"),
    ])) as NodeCommandOptions;
  });

  after(async () => {
    await l1?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** An optimistic rollup of the test's genesis on the L1 at `l1Url` (a 10 minute window), recorded in `record`. */
  const deployOptimistic = async (l1Url: string, record: string): Promise<RollupDeployment> =>
    deployForGenesis(
      l1Url,
      await readGenesisFile(path.join(dir, "genesis.json")),
      sequencer.address,
      record,
      undefined,
      { challengeWindow: 600n, proposalBond: parseEther("0.1") },
    );

  it("takes each option from the command line over the config file over its one default", async () => {
    const config = path.join(dir, "node.json");
    await writeFile(
      config,
      JSON.stringify({
        deployment: "deployment.json",
        "l1-rpc": "http://l1.example:8545",
        port: 7000,
        "block-time": 500,
        committees: [{ name: "acme", attesters: ["http://a:1", "http://b:2", "http://c:3"] }],
        keystores: { sequencer: "keys/seq.json" },
      }),
    );
    const options = (await resolveNodeCommand(["--config", config, "--port", "7001"])) as NodeCommandOptions;
    expect(options.deployment).to.equal(path.join(dir, "deployment.json"));
    expect(options.port).to.equal(7001);
    expect(options.blockTimeMs).to.equal(500);
    expect(options.role.kind).to.equal(NODE_OPTIONS.find((o) => o.name === "role")?.default);
    expect(options.host).to.equal(NODE_OPTIONS.find((o) => o.name === "host")?.default);
    expect(options.committees).to.deep.equal([
      { name: "acme", attesters: [{ url: "http://a:1" }, { url: "http://b:2" }, { url: "http://c:3" }] },
    ]);
    expect(options.keystores.sequencer).to.equal(path.join(dir, "keys", "seq.json"));
    await writeFile(config, JSON.stringify({ "l1-rpc": "http://x", port: "many" }));
    await expectCode(() => resolveNodeCommand(["--config", config, "--deployment", "d.json"]), "CLI_USAGE");
    await writeFile(config, JSON.stringify({ "sequencer-key": "0x…" }));
    await expectCode(() => resolveNodeCommand(["--config", config]), "CONFIG_FILE");
    // A hand edit's trailing comma: placed by line and column, not by a character offset.
    await writeFile(config, '{\n  "l1-rpc": "http://x",\n  "port": 7000,\n}\n');
    const notJson = await expectCode(() => resolveNodeCommand(["--config", config]), "CONFIG_FILE");
    expect(notJson.message).to.equal(
      `the config file ${config} is not JSON: line 4, column 1 (at: "port": 7000, ⏎ }): Expected double-quoted property name`,
    );
    // The refusal names only what is missing (it named both when one was given).
    const noL1 = await expectCode(() => resolveNodeCommand(["--deployment", "d.json"]), "CLI_USAGE");
    expect(noL1.message).to.equal("--l1-rpc is required");
    const noDeployment = await expectCode(() => resolveNodeCommand(["--l1-rpc", "http://x"]), "CLI_USAGE");
    expect(noDeployment.message).to.equal("--deployment is required");
    expect((await expectCode(() => resolveNodeCommand([]), "CLI_USAGE")).message).to.equal(
      "--deployment and --l1-rpc are required",
    );
    expect(await resolveNodeCommand(["--help"])).to.equal(undefined);
  });

  it("documents every option in --help", () => {
    const help = nodeHelp();
    for (const option of NODE_OPTIONS) expect(help).to.include(`--${option.name}`);
    expect(help).to.include("NATIVE_ROLLUP_<ROLE>_KEY");
  });

  it("refuses a genesis file that is not the one the rollup was deployed with", async () => {
    const error = await expectCode(
      () =>
        startNodeCommand(
          { ...base, genesis: path.join(dir, "other-genesis.json") },
          { logger: collectingLogger([]), env: keysEnv },
        ),
      "GENESIS_MISMATCH",
    );
    expect(error.message).to.include(deployment.genesisBlockHash);
    // No genesis beside the record: the hint names how to get a genesis file the node can be given.
    expect(error.hint).to.include("npx hardhat rollup:genesis --out genesis.json");
    expect(error.hint).to.include("npx hardhat rollup:deploy --genesis genesis.json");
  });

  it("a genesis mismatch names the genesis rollup:deploy wrote beside the deployment record", async () => {
    const beside = deployedGenesisFile(path.join(dir, "deployment.json"));
    expect(beside).to.equal(path.join(dir, "deployment.genesis.json"));
    await writeGenesisFile(beside, devnetGenesis({}, L2_CHAIN_ID, 2_000n, []));
    try {
      const error = await expectCode(
        () =>
          startNodeCommand(
            { ...base, genesis: path.join(dir, "other-genesis.json") },
            { logger: collectingLogger([]), env: keysEnv },
          ),
        "GENESIS_MISMATCH",
      );
      expect(error.hint).to.include(`--genesis ${beside}`);
    } finally {
      await rm(beside, { force: true });
    }
  });

  it("refuses to rebuild the dev genesis on another L1 when no --genesis is given", async () => {
    const { genesis: _omitted, ...withoutGenesis } = base;
    await expectCode(
      () => startNodeCommand(withoutGenesis, { logger: collectingLogger([]), env: keysEnv }),
      "GENESIS_REQUIRED",
    );
  });

  it("refuses the dev mnemonic's keys on this L1 unless --dev, and starts no node without keys", async () => {
    const devSequencer = deriveDevAccounts(11)[10]?.privateKey as string;
    await expectCode(
      () =>
        startNodeCommand(base, {
          logger: collectingLogger([]),
          env: { ...keysEnv, NATIVE_ROLLUP_SEQUENCER_KEY: devSequencer },
        }),
      "DEV_KEY_REFUSED",
    );
    await expectCode(
      () =>
        startNodeCommand(base, {
          logger: collectingLogger([]),
          env: { NATIVE_ROLLUP_RELAYER_KEY: relayer.privateKey },
        }),
      "KEY_MISSING",
    );
  });

  it("refuses a relayer the genesis does not fund", async () => {
    await expectCode(
      () =>
        startNodeCommand(base, {
          logger: collectingLogger([]),
          env: { ...keysEnv, NATIVE_ROLLUP_RELAYER_KEY: Wallet.createRandom().privateKey },
        }),
      "RELAYER_UNFUNDED",
    );
  });

  it("on a taken --port: RPC_LISTEN_FAILED, and the hint names --port (the option of native-rollup-node and rollup:node)", async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", () => resolve()));
    const port = (taken.address() as AddressInfo).port;
    try {
      const error = await expectCode(
        () =>
          startNodeCommand(
            { ...base, port, dataDir: path.join(dir, "taken-port") },
            { logger: collectingLogger([]), env: keysEnv },
          ),
        "RPC_LISTEN_FAILED",
      );
      expect(error.hint).to.contain("--port N");
      expect(error.hint).to.contain(String(port));
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });

  it("checks the declared sequencing rule (rollup:node passes the config's rollup.sequencing.rule) against the contract on L1: another refuses to start, the contract's starts and says L1 checked it; with none declared (native-rollup-node) it logs the rule read on L1", async () => {
    const declaring = (rule: "based" | "fallback", lines: string[] = []) => ({
      logger: collectingLogger(lines),
      env: keysEnv,
      declaredSequencing: rule,
    });
    // ExampleRollup enforces NativeRollup's fallback rule.
    const refused = await expectCode(() => startNodeCommand(base, declaring("based")), "SEQUENCING_MISMATCH");
    expect(refused.message).to.contain('rollup.sequencing.rule declares "based: anyone may advance at any time"');
    expect(refused.hint).to.contain('set rollup.sequencing.rule to "fallback" in hardhat.config.ts');
    expect(refused.hint).to.contain(base.deployment);
    const lines: string[] = [];
    const node = await startNodeCommand(base, declaring("fallback", lines));
    await node.stop();
    expect(lines.join("\n")).to.match(/sequencing fallback: .* \(the contract's, checked on L1\)/);
    // native-rollup-node declares nothing (a rollup:init project): it says the rule L1 enforces all the same.
    const undeclared: string[] = [];
    const plain = await startNodeCommand(base, { logger: collectingLogger(undeclared), env: keysEnv });
    await plain.stop();
    // Before: no sequencing line at all.
    expect(undeclared.join("\n")).to.match(/sequencing fallback: .* silent for \d+ s \(the contract's, read on L1\)/);
  });

  it("--censor (a test/dev tool): addresses only, a sequencer only, and refused on an L1 other than the devnet's unless --dev", async () => {
    const args = ["--deployment", base.deployment, "--l1-rpc", base.l1Rpc];
    const notAddress = await expectCode(() => resolveNodeCommand([...args, "--censor", "0xzz"]), "CLI_USAGE");
    expect(notAddress.message).to.equal("--censor: 0xzz is not an address");
    await expectCode(
      () => resolveNodeCommand([...args, "--role", "follower", "--censor", relayer.address]),
      "CLI_USAGE",
    );
    const censoring = (await resolveNodeCommand([
      ...args,
      "--censor",
      ` ${relayer.address}, ${sequencer.address}`,
    ])) as NodeCommandOptions;
    expect(censoring.censor).to.deep.equal([relayer.address, sequencer.address]);
    expect(base.censor).to.deep.equal([]);
    // The mode: delay (until L1 forces the messages in) unless never is asked, and never only with senders.
    expect(censoring.censorMode).to.equal("delay");
    const never = (await resolveNodeCommand([
      ...args,
      "--censor",
      relayer.address,
      "--censor-mode",
      "never",
    ])) as NodeCommandOptions;
    expect(never.censorMode).to.equal("never");
    await expectCode(() => resolveNodeCommand([...args, "--censor-mode", "never"]), "CLI_USAGE");
    await expectCode(
      () => resolveNodeCommand([...args, "--censor", relayer.address, "--censor-mode", "always"]),
      "CLI_USAGE",
    );
    // This L1 is chain 31337, not the devnet's.
    const refused = await expectCode(
      () => startNodeCommand({ ...base, censor: [relayer.address] }, { logger: collectingLogger([]), env: keysEnv }),
      "CENSOR_NOT_DEV",
    );
    expect(refused.message).to.contain("test/dev tool");
    expect(refused.hint).to.contain("--dev");
  });

  it("runs the rollup from the genesis file with keys from the environment, and never logs them", async () => {
    const lines: string[] = [];
    const node = await startNodeCommand(base, { logger: collectingLogger(lines), env: keysEnv });
    try {
      const provider = new JsonRpcProvider(l1.url as string, undefined, { staticNetwork: true, cacheTimeout: -1 });
      const rollup = new Contract(deployment.address, ["function headNumber() view returns (uint64)"], provider);
      const deadline = Date.now() + 120_000;
      while (((await rollup.getFunction("headNumber")()) as bigint) < 1n && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 200));
      expect(
        (await rollup.getFunction("headNumber")()) as bigint,
        "an L2 block accepted on L1",
      ).to.be.greaterThanOrEqual(1n);
      provider.destroy();
    } finally {
      await node.stop();
    }
    const log = lines.join("\n").toLowerCase();
    expect(log).to.include(sequencer.address.toLowerCase());
    expect(log).to.include("key from env");
    for (const key of [sequencer.privateKey, relayer.privateKey])
      expect(log).to.not.include(key.slice(2).toLowerCase());
  });

  it("--challenge: a follower's only, not with --takeover, its own challenger key (no dev fallback), and refused on a rollup that is not optimistic", async () => {
    const argv = ["--deployment", path.join(dir, "deployment.json"), "--l1-rpc", l1.url as string];
    for (const [extra, message] of [
      [["--challenge"], "--challenge needs --role follower"],
      [["--role", "follower", "--challenge", "--takeover"], "--takeover and --challenge cannot be combined"],
    ] as const) {
      const error = await expectCode(() => resolveNodeCommand([...argv, ...extra]), "CLI_USAGE");
      expect(error.message).to.equal(message);
    }
    const options = (await resolveNodeCommand([...argv, "--role", "follower", "--challenge"])) as NodeCommandOptions;
    expect(options.role).to.deep.equal({ kind: "follower", duty: "challenge" });
    const challenging = { ...base, role: options.role, dataDir: path.join(dir, "challenging-follower") };
    const missing = await expectCode(
      () => startNodeCommand(challenging, { logger: collectingLogger([]), env: {} }),
      "KEY_MISSING",
    );
    expect(missing.hint).to.contain("NATIVE_ROLLUP_CHALLENGER_KEY");
    // Says why no dev key stands in and that the key must hold L1 ETH (docs/design/trial-s30.md).
    expect(missing.message).to.contain("--challenge needs a challenger key of its own");
    expect(missing.message).to.contain("the devnet's dev challenger key is its own node's");
    expect(missing.hint).to.contain("an L1 account no other node uses, funded with L1 ETH");
    const notOptimistic = await expectCode(
      () =>
        startNodeCommand(challenging, {
          logger: collectingLogger([]),
          env: { NATIVE_ROLLUP_CHALLENGER_KEY: Wallet.createRandom().privateKey },
        }),
      "CHALLENGE_NOT_OPTIMISTIC",
    );
    expect(notOptimistic.message).to.contain(`the rollup at ${deployment.address} is not optimistic`);
    expect(notOptimistic.hint).to.contain("drop --challenge");
  });

  /**
   * trial-s30: a take-over node's challenger key fell back to the dev one, the rollup's own
   * sequencer's node's, with which it would race for nonces if that sequencer returned. Off the
   * devnet's L1 it challenges with its own key only, --dev or not (docs/design/takeover-optimistic.md).
   */
  it("a --takeover node of an optimistic rollup off the devnet's L1: its own challenger key, never a dev key, even with --dev", async () => {
    await deployOptimistic(l1.url as string, path.join(dir, "optimistic.json"));
    const takeover = {
      ...base,
      deployment: path.join(dir, "optimistic.json"),
      dataDir: path.join(dir, "optimistic-takeover"),
      role: { kind: "follower", duty: "takeover" } as const,
      dev: true,
    };
    // Its own sequencer key, not the rollup's: it follows (the fallback's period is an hour away).
    const ownKeys = { ...keysEnv, NATIVE_ROLLUP_SEQUENCER_KEY: Wallet.createRandom().privateKey };
    /** Starts and stops the node (the old code started one where it must refuse). */
    const startAndStop = async (env: Record<string, string>, lines: string[] = []): Promise<void> => {
      const node = await startNodeCommand(takeover, { logger: collectingLogger(lines, true), env });
      await node.stop();
    };
    const missing = await expectCode(() => startAndStop(ownKeys), "KEY_MISSING");
    expect(missing.message).to.contain("a take-over node of an optimistic rollup needs a challenger key of its own");
    expect(missing.message).to.contain("--dev or not");
    expect(missing.hint).to.contain("NATIVE_ROLLUP_CHALLENGER_KEY");
    const devChallenger = devNodeKeys(DEFAULT_DEV_BALANCE).challenger?.privateKey as string;
    const dev = await expectCode(
      () => startAndStop({ ...ownKeys, NATIVE_ROLLUP_CHALLENGER_KEY: devChallenger }),
      "DEV_KEY_REFUSED",
    );
    expect(dev.message).to.contain("does not challenge with");
    // Round 31's trial: dev account #6 was refused for a reason that is the dev challenger key's
    // alone ("the rollup's sequencer's node may use it too"); #6's is that anyone holds its key.
    const account6 = deriveDevAccounts(7)[6]?.privateKey as string;
    const published = await expectCode(
      () => startAndStop({ ...ownKeys, NATIVE_ROLLUP_CHALLENGER_KEY: account6 }),
      "DEV_KEY_REFUSED",
    );
    expect(published.message).to.contain("anyone may send from it").and.not.to.contain("sequencer's node may use it");
    expect(published.hint).to.contain("funded with L1 ETH");
    const own = Wallet.createRandom();
    const lines: string[] = [];
    await startAndStop({ ...ownKeys, NATIVE_ROLLUP_CHALLENGER_KEY: own.privateKey }, lines);
    expect(lines).to.include(`info node challenger ${own.address} (key from env)`);
  });

  it("a --takeover node of an optimistic rollup on the devnet's L1: the dev challenger key still stands in, with a warning", async () => {
    const devnetL1 = await startL1Devnet({ port: 0 });
    try {
      expect(devnetL1.chainId).to.equal(1337n);
      const record = path.join(dir, "devnet-optimistic.json");
      await deployOptimistic(devnetL1.url as string, record);
      const lines: string[] = [];
      const node = await startNodeCommand(
        {
          ...base,
          l1Rpc: devnetL1.url as string,
          deployment: record,
          dataDir: path.join(dir, "devnet-optimistic-takeover"),
          role: { kind: "follower", duty: "takeover" },
        },
        {
          logger: collectingLogger(lines, true),
          env: { ...keysEnv, NATIVE_ROLLUP_SEQUENCER_KEY: Wallet.createRandom().privateKey },
        },
      );
      await node.stop();
      const devChallenger = devNodeKeys(DEFAULT_DEV_BALANCE).challenger?.address as string;
      expect(lines).to.include(`info node challenger ${devChallenger} (key from dev)`);
      const warning = lines.filter((l) => l.startsWith("warn node this take-over node challenges with the dev"));
      expect(warning, lines.join("\n")).to.have.length(1);
      expect(warning[0]).to.contain(devChallenger).and.to.contain("race for its nonces");
      expect(warning[0]).to.contain("NATIVE_ROLLUP_CHALLENGER_KEY");
      // Round 31's trial: on `devnet --l1-only` that key holds nothing (only accounts #0-9 are
      // funded), and neither this node nor the sequencer's said so: it could challenge nothing.
      const balance = await devnetL1.provider.request({ method: "eth_getBalance", params: [devChallenger, "latest"] });
      expect(balance, "the dev challenger's L1 balance").to.equal("0x0");
      const unfunded = lines.filter((l) =>
        l.startsWith(`warn node the challenger ${devChallenger} holds 0.0 ETH on L1`),
      );
      expect(unfunded, lines.join("\n")).to.have.length(1);
      expect(unfunded[0]).to.contain("could not challenge a forged proposal").and.to.contain("send it L1 ETH");
    } finally {
      await devnetL1.stop();
    }
  });

  it("refuses a data directory that holds another rollup's chain, even one of the same genesis", async () => {
    // A second rollup deployed for the very same genesis file (its hash cannot tell them apart).
    const second = await deployForGenesis(
      l1.url as string,
      await readGenesisFile(path.join(dir, "genesis.json")),
      sequencer.address,
      path.join(dir, "second.json"),
    );
    const dataDir = path.join(dir, "shared-follower");
    const follower = { ...base, role: { kind: "follower", duty: "derive" } as const, dataDir };
    const first = await startNodeCommand(follower, { logger: collectingLogger([]) });
    await first.stop();
    // Before: the second rollup's follower opened the first one's chain and served it as its own.
    const error = await expectCode(
      () =>
        startNodeCommand({ ...follower, deployment: path.join(dir, "second.json") }, { logger: collectingLogger([]) }),
      "DATA_DIR_OTHER_ROLLUP",
    );
    expect(error.message).to.contain(dataDir).and.to.contain(deployment.address).and.to.contain(second.address);
    expect(error.hint).to.contain("--data-dir").and.to.contain("--reset");
    // Its own directory, or --reset on this one, starts it.
    const reset = await startNodeCommand(
      { ...follower, deployment: path.join(dir, "second.json"), reset: true },
      { logger: collectingLogger([]) },
    );
    await reset.stop();
  });

  it("a proof-mode rollup's node without attesters is refused, with the config flag of the command that was run", async () => {
    const proven = await deployForGenesis(
      l1.url as string,
      await readGenesisFile(path.join(dir, "genesis.json")),
      sequencer.address,
      path.join(dir, "proven.json"),
      { threshold: 1, allowReexecution: false, acceptedKeys: [`0x${"ab".repeat(32)}`] },
    );
    const options = { ...base, deployment: path.join(dir, "proven.json"), dataDir: path.join(dir, "proven-l2") };
    // Before: 'pass --attesters URL,URL,URL or "committees" in --config' under Hardhat too, whose
    // --config is its own (the node's file is --node-config there).
    for (const configFlag of ["--node-config", undefined]) {
      const error = await expectCode(
        () => startNodeCommand(options, { logger: collectingLogger([]), env: keysEnv, configFlag }),
        "NO_PROVERS",
      );
      expect(error.message, String(proven.address)).to.contain("no attesters are configured");
      expect(error.hint).to.contain(`"committees" in ${configFlag ?? "--config"} FILE`);
    }
  });

  it("a key other than the rollup's sequencer: a warning for a sequencer, information for a --takeover follower (that is its purpose)", async () => {
    await deployForGenesis(
      l1.url as string,
      await readGenesisFile(path.join(dir, "genesis.json")),
      sequencer.address,
      path.join(dir, "proven-other-key.json"),
      { threshold: 1, allowReexecution: false, acceptedKeys: [`0x${"cd".repeat(32)}`] },
    );
    const otherKey = { ...keysEnv, NATIVE_ROLLUP_SEQUENCER_KEY: Wallet.createRandom().privateKey };
    const options = {
      ...base,
      deployment: path.join(dir, "proven-other-key.json"),
      dataDir: path.join(dir, "proven-other-key-l2"),
    };
    // The line is written before the committees are connected: without attesters the start stops there.
    const linesOf = async (takeover: boolean): Promise<string[]> => {
      const lines: string[] = [];
      await expectCode(
        () =>
          startNodeCommand(takeover ? { ...options, role: { kind: "follower", duty: "takeover" } } : options, {
            logger: collectingLogger(lines, true),
            env: otherKey,
          }),
        "NO_PROVERS",
      );
      return lines.filter((l) => l.includes(`the rollup's sequencer is`));
    };
    const asSequencer = await linesOf(false);
    expect(asSequencer).to.have.length(1);
    expect(asSequencer[0]).to.match(/^warn node /);
    // Before (the s27 fresh-clone run): the take-over node of the README's flow warned too.
    const asTakeover = await linesOf(true);
    expect(asTakeover).to.have.length(1);
    expect(asTakeover[0]).to.match(/^info node /);
    expect(asTakeover[0]).to.contain("take-over");
  });

  it("reads L1 at the pace --l1-poll-interval gives (a hosted L1 endpoint's request quota)", async () => {
    // The L1 behind a proxy that counts the requests the node sends it.
    let requests = 0;
    const proxy: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        requests += 1;
        fetch(l1.url as string, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: Buffer.concat(chunks),
        })
          .then(async (answer) => res.writeHead(200, { "content-type": "application/json" }).end(await answer.text()))
          .catch(() => res.writeHead(502).end());
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    // Requests a follower sends in a 3 s window once started (it starts caught up: no L2 block was accepted yet).
    const requestsIn3s = async (pollMs: number): Promise<number> => {
      const node = await startNodeCommand(
        {
          ...base,
          role: { kind: "follower", duty: "derive" },
          l1Rpc: proxyUrl,
          l1PollMs: pollMs,
          dataDir: path.join(dir, `follower-${pollMs}`),
        },
        { logger: collectingLogger([]), env: {} },
      );
      try {
        await new Promise((r) => setTimeout(r, 500));
        const before = requests;
        await new Promise((r) => setTimeout(r, 3_000));
        return requests - before;
      } finally {
        await node.stop();
      }
    };
    try {
      const fast = await requestsIn3s(MIN_L1_POLL_MS * 2);
      const slow = await requestsIn3s(2_000);
      expect(slow, `${slow} requests at 2000 ms against ${fast} at ${MIN_L1_POLL_MS * 2} ms`).to.be.below(fast / 4);
      expect(fast, "the fast follower polled").to.be.at.least(10);
    } finally {
      proxy.closeAllConnections();
      await new Promise((r) => proxy.close(r));
    }
  });
});

describe("the node command's --l1-poll-interval (how often the node reads L1)", () => {
  const required = ["--deployment", "deployment.json", "--l1-rpc", "http://l1.example:8545"];

  it("takes milliseconds from the command line or the config file, and the one default otherwise", async () => {
    expect(((await resolveNodeCommand(required)) as NodeCommandOptions).l1PollMs).to.equal(DEFAULT_L1_POLL_MS);
    expect(
      ((await resolveNodeCommand([...required, "--l1-poll-interval", "4000"])) as NodeCommandOptions).l1PollMs,
    ).to.equal(4000);
    const dir = await mkdtemp(path.join(tmpdir(), "node-l1-poll-"));
    try {
      const config = path.join(dir, "node.json");
      await writeFile(config, JSON.stringify({ "l1-poll-interval": 12000 }));
      expect(((await resolveNodeCommand([...required, "--config", config])) as NodeCommandOptions).l1PollMs).to.equal(
        12000,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it(`refuses an interval below ${MIN_L1_POLL_MS} ms (a node spinning on L1) and a non-number, naming the bound`, async () => {
    for (const bad of ["0", String(MIN_L1_POLL_MS - 1), "fast", "-5"]) {
      const error = await expectCode(() => resolveNodeCommand([...required, `--l1-poll-interval=${bad}`]), "CLI_USAGE");
      expect(error.message).to.contain("l1-poll-interval");
      expect(error.message).to.contain(`at least ${MIN_L1_POLL_MS}`);
    }
    expect(
      ((await resolveNodeCommand([...required, `--l1-poll-interval=${MIN_L1_POLL_MS}`])) as NodeCommandOptions)
        .l1PollMs,
    ).to.equal(MIN_L1_POLL_MS);
  });
});

describe("the node command's --proposal-slack-share (an optimistic rollup's share of the proposal gas bucket for unused gas limits)", () => {
  const required = ["--deployment", "deployment.json", "--l1-rpc", "http://l1.example:8545"];

  it("takes a fraction in (0, 1] from the command line or the config file, and the budget's default otherwise", async () => {
    const given = (await resolveNodeCommand([...required, "--proposal-slack-share", "0.5"])) as NodeCommandOptions;
    expect(given.proposalSlackShare).to.equal(0.5);
    expect(
      ((await resolveNodeCommand([...required, "--proposal-slack-share", "1"])) as NodeCommandOptions)
        .proposalSlackShare,
    ).to.equal(1);
    const byDefault = (await resolveNodeCommand(required)) as NodeCommandOptions;
    expect(byDefault.proposalSlackShare).to.equal(DEFAULT_PROPOSAL_SLACK_SHARE);
    const dir = await mkdtemp(path.join(tmpdir(), "node-slack-share-"));
    try {
      const config = path.join(dir, "node.json");
      await writeFile(config, JSON.stringify({ "proposal-slack-share": 0.1 }));
      const fromFile = (await resolveNodeCommand([...required, "--config", config])) as NodeCommandOptions;
      expect(fromFile.proposalSlackShare).to.equal(0.1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("refuses 0, a negative share, one above 1 and a non-number with the flag's range and an example", async () => {
    for (const bad of ["0", "-0.5", "1.5", "abc", "25%"]) {
      const error = await expectCode(
        () => resolveNodeCommand([...required, `--proposal-slack-share=${bad}`]),
        "CLI_USAGE",
      );
      expect(error.message).to.contain(`--proposal-slack-share ${bad}`);
      expect(error.message).to.contain("(0, 1]");
      expect(error.hint).to.contain("--proposal-slack-share 0.25");
    }
  });

  it("is in --help with its default, the description in a column that starts after the longest flag", () => {
    const help = nodeHelp();
    const line = help.split("\n").find((l) => l.includes("--proposal-slack-share"));
    expect(line).to.match(/^ {2}--proposal-slack-share FRACTION {2,}\S.*default 0\.25/);
    // Where each option's description starts: after its flag and value name, and the padding.
    const starts = help
      .split("\n")
      .filter((l) => l.startsWith("  --"))
      .map((l) => /^ {2}--\S+(?: [A-Z,.…]+)? +/.exec(l)?.[0].length);
    expect(new Set(starts).size, help).to.equal(1);
  });
});
