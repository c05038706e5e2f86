import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { Contract, JsonRpcProvider, Wallet, parseEther } from "ethers";

import { deployRollup, saveDeployment } from "../../../deploy/rollup";
import { acceptanceHistory } from "../../../rollup-node/bridge/acceptance";
import { DEFAULT_HARDFORK } from "../../../rollup-node/chain/genesis";
import { writeGenesisFile } from "../../../rollup-node/chain/genesisFile";
import { deriveDevAccounts } from "../../../rollup-node/chain/devAccounts";
import { type L1Devnet, startL1Devnet } from "../../../rollup-node/devnet/l1Devnet";
import { devnetGenesis, genesisCommitments } from "../../../rollup-node/devnet/rollupDevnet";
import { genesisSupply } from "../../../rollup-node/l2/genesis";
import { type NodeCommandOptions, resolveNodeCommand, startNodeCommand } from "../../../rollup-node/node/nodeCommand";
import { ATTESTER_READY_PREFIX } from "../../../rollup-node/node/attesterCli";
import { CommitteeProver } from "../../../rollup-node/provers/proofService";
import { silentLogger } from "../../../rollup-node/logger";
import { TYPESCRIPT_CHILD_ARGS } from "../../support/typescriptChild";

const ATTESTER_CLI = path.resolve(__dirname, "..", "..", "..", "rollup-node", "node", "attesterCli.ts");
const L2_CHAIN_ID = 778n;

interface AttesterProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly privateKey: string;
}

/** `native-rollup-attester --port 0` in its own process, its key in its environment only. */
function spawnAttester(privateKey = Wallet.createRandom().privateKey, port = 0): Promise<AttesterProcess> {
  const child = spawn(
    process.execPath,
    [...TYPESCRIPT_CHILD_ARGS, ATTESTER_CLI, "--port", String(port), "--hardfork", DEFAULT_HARDFORK],
    {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NATIVE_ROLLUP_ATTESTER_KEY: privateKey },
    },
  );
  const errors: string[] = [];
  child.stderr?.on("data", (chunk: Buffer) => errors.push(chunk.toString()));
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split("\n").find((l) => l.startsWith(ATTESTER_READY_PREFIX));
      if (line !== undefined) resolve({ child, url: line.slice(ATTESTER_READY_PREFIX.length).trim(), privateKey });
    });
    child.once("exit", (code) =>
      reject(new Error(`attester exited (${code}) before it was ready:\n${errors.join("")}`)),
    );
  });
}

function stop(attester: AttesterProcess): Promise<void> {
  return new Promise((resolve) => {
    if (attester.child.exitCode !== null || attester.child.signalCode !== null) return resolve();
    attester.child.once("exit", () => resolve());
    attester.child.kill("SIGTERM");
  });
}

describe("external attester processes prove a node's blocks (a committee of 4, 3 signatures per proof)", function () {
  this.timeout(600_000);
  let dir: string;
  let l1: L1Devnet;
  let attesters: AttesterProcess[] = [];

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "external-attesters-"));
    attesters = await Promise.all([spawnAttester(), spawnAttester(), spawnAttester(), spawnAttester()]);
  });

  after(async () => {
    await Promise.all(attesters.map(stop));
    await l1?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("no attester's key is on its command line", async () => {
    for (const a of attesters) {
      const cmdline = (await readFile(`/proc/${a.child.pid}/cmdline`, "utf8")).split("\0").join(" ");
      expect(cmdline).to.include("attesterCli");
      expect(cmdline).to.not.include(a.privateKey.slice(2));
    }
  });

  it("a node configured with their URLs, one attester starting after it, gets blocks accepted on L1 by their proofs, still after one attester stops", async () => {
    // The committee's key: its members' public keys, as the node will see them.
    const probe = await CommitteeProver.connect(
      "acme",
      attesters.map((a) => ({ url: a.url })),
      { hardfork: DEFAULT_HARDFORK, eips: [] },
    );
    const keyHash = probe.keyHash;
    await probe.close();

    const sequencer = Wallet.createRandom();
    const relayer = Wallet.createRandom();
    l1 = await startL1Devnet({ port: 0, alloc: { [sequencer.address]: { balance: parseEther("100") } } });
    const genesis = devnetGenesis({}, L2_CHAIN_ID, BigInt(Math.floor(Date.now() / 1000)) - 10n, [
      { address: relayer.address, balance: parseEther("1") },
    ]);
    await writeGenesisFile(path.join(dir, "genesis.json"), genesis);
    const provider = new JsonRpcProvider(l1.url as string, undefined, { staticNetwork: true, cacheTimeout: -1 });
    const { hash, stateRoot } = await genesisCommitments(genesis);
    const deployment = await deployRollup(new Wallet(deriveDevAccounts(1)[0]?.privateKey as string, provider), {
      l2ChainId: L2_CHAIN_ID,
      genesisBlockHash: hash,
      genesisStateRoot: stateRoot,
      sequencer: sequencer.address,
      genesisSupply: genesisSupply(genesis),
      proofPolicy: { threshold: 1, allowReexecution: false, acceptedKeys: [keyHash] },
    });
    await saveDeployment(path.join(dir, "deployment.json"), deployment);
    await writeFile(
      path.join(dir, "node.json"),
      JSON.stringify({ committees: [{ name: "acme", attesters: attesters.map((a) => a.url) }] }),
    );

    const options = (await resolveNodeCommand([
      "--config",
      path.join(dir, "node.json"),
      "--deployment",
      path.join(dir, "deployment.json"),
      "--genesis",
      path.join(dir, "genesis.json"),
      "--l1-rpc",
      l1.url as string,
      "--port",
      "0",
      "--block-time",
      "300",
      "--empty-blocks",
    ])) as NodeCommandOptions;
    // Started all at once (docker-compose, systemd): attester 0 comes up after the node, at the URL configured.
    const first = attesters[0] as AttesterProcess;
    await stop(first);
    const late = setTimeout(async () => {
      attesters[0] = await spawnAttester(first.privateKey, Number(new URL(first.url).port));
    }, 3_000);
    const told: string[] = [];
    const logger = { ...silentLogger, info: (message: string) => told.push(message) };
    // Before: AttesterError 'attester 0 at http://127.0.0.1:PORT did not answer: fetch failed', the node not started.
    const node = await startNodeCommand(options, {
      logger: () => logger,
      env: { NATIVE_ROLLUP_SEQUENCER_KEY: sequencer.privateKey, NATIVE_ROLLUP_RELAYER_KEY: relayer.privateKey },
    }).finally(() => clearTimeout(late));
    expect(told.filter((line) => line.includes("does not answer yet"))).to.have.length(1);
    try {
      const rollup = new Contract(deployment.address, ["function headNumber() view returns (uint64)"], provider);
      const head = async () => (await rollup.getFunction("headNumber")()) as bigint;
      const waitFor = async (n: bigint) => {
        const deadline = Date.now() + 240_000;
        while ((await head()) < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
        expect(await head(), `L2 block ${n} accepted on L1`).to.be.greaterThanOrEqual(n);
      };
      await waitFor(1n);
      // k of n: with one member gone, the other three still sign and the circuit's 3 signatures are met.
      await stop(attesters[3] as AttesterProcess);
      const after = (await head()) + 2n;
      await waitFor(after);
      const history = await acceptanceHistory(provider, deployment.address);
      expect(history.length).to.be.greaterThanOrEqual(Number(after));
      for (const block of history) {
        expect(block.mode, `L2 block ${block.number}`).to.equal("proven");
        expect(block.proofKeys.map((k) => k.toLowerCase())).to.deep.equal([keyHash.toLowerCase()]);
      }
    } finally {
      await node.stop();
      provider.destroy();
    }
  });
});
