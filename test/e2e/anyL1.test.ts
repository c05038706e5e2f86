import { blockProofSource } from "../../rollup-node/node/proofSource";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";

import { expect } from "chai";
import { type HDNodeWallet, JsonRpcProvider, Wallet, hexlify, keccak256, parseEther, toBeHex } from "ethers";

import { loadDeployment } from "../../deploy/rollup";
import { acceptanceHistory } from "../../rollup-node/bridge/acceptance";
import type { AcceptedBlock } from "../../rollup-node/bridge/batchSubmitter";
import { DEFAULT_DEV_BALANCE } from "../../rollup-node/chain/devAccounts";
import { readGenesisFile } from "../../rollup-node/chain/genesisFile";
import { type LoggerFactory, silentLogger } from "../../rollup-node/logger";
import { attestBlock } from "../../rollup-node/provers/attester";
import {
  AttesterKey,
  Committee,
  bundledCircuitArtifacts,
  committeeVerificationKey,
  loadBabyJub,
  proveCommittee,
} from "../../rollup-node/provers/committee";
import { type ExecutionProver, ProofService } from "../../rollup-node/provers/proofService";
import { type RollupNode, startRollupNode } from "../../rollup-node/node/rollupNode";
import { RollupClient } from "../../sdk";
import { DEPLOYER_KEY_ENV } from "../../tasks/deployTarget";
import { type E2eRollup, startE2eRollup } from "./support/harness";
import { freePort } from "../support/freePort";
import { runTask } from "../support/runTask";

/** `npx hardhat node` (EDR: Hardhat's own L1, no EXECUTE) in its own process, on a free port. */
async function startHardhatNode(): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const cli = require.resolve("hardhat/internal/cli/cli");
  const child = spawn(process.execPath, [cli, "node", "--hostname", "127.0.0.1", "--port", String(port)], {
    cwd: path.resolve(__dirname, "..", ".."),
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true" },
  });
  const output: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output.push(chunk.toString());
      if (output.join("").includes("Started HTTP and WebSocket JSON-RPC server")) resolve();
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
    child.once("exit", (code) => reject(new Error(`hardhat node exited (${code}):\n${output.join("")}`)));
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

/**
 * A committee of three attesters with fresh keys, each re-executing the block itself (attestBlock,
 * what an attester process runs) and signing its commitment, aggregated into the real Groth16
 * proof. In this process rather than three: on a loaded CI machine an attester process may take
 * over a minute just to start (AttesterPool's start timeout), which is not what this test is about.
 */
async function freshCommittee(name: string): Promise<ExecutionProver & { readonly verificationKey: Uint8Array }> {
  const babyJub = await loadBabyJub();
  const artifacts = bundledCircuitArtifacts();
  const keys = [0, 1, 2].map(() => new AttesterKey(babyJub, new Uint8Array(randomBytes(32))));
  const committee = Committee.fromPublicKeys(
    babyJub,
    keys.map((k) => k.publicKey),
  );
  const verificationKey = committeeVerificationKey(artifacts, committee);
  return {
    name,
    verificationKey,
    keyHash: keccak256(verificationKey),
    prove: async (block) => {
      const signed = await Promise.all(keys.map((key, i) => attestBlock(key, i, block)));
      return proveCommittee(
        artifacts,
        committee,
        signed[0].commitment,
        signed.map((s) => s.attestation),
      );
    },
    close: () => Promise.resolve(),
  };
}

/** Deposit → credit, L2 transfer, withdrawal → final through the SDK; returns the two latencies in ms. */
async function roundTrip(
  client: RollupClient,
  l2Signer: Wallet | HDNodeWallet,
  l1: JsonRpcProvider,
  user: string,
): Promise<{ depositMs: number; withdrawalMs: number }> {
  const l2 = l2Signer.provider as JsonRpcProvider;
  const t0 = Date.now();
  const deposit = await client.deposit({ to: user, amount: parseEther("2") });
  await client.waitForMessageStatus(deposit, "relayed", { timeoutMs: 120_000 });
  const depositMs = Date.now() - t0;
  expect(await l2.getBalance(user)).to.be.at.least(parseEther("2"));

  const friend = Wallet.createRandom().address;
  await (await l2Signer.sendTransaction({ to: friend, value: parseEther("0.5") })).wait();
  expect(await l2.getBalance(friend)).to.equal(parseEther("0.5"));

  const l1Recipient = Wallet.createRandom().address;
  const t1 = Date.now();
  const withdrawal = await client.withdraw({ to: l1Recipient, amount: parseEther("1") });
  await client.waitForMessageStatus(withdrawal, "provable", { timeoutMs: 180_000 });
  await client.finalizeWithdrawal(withdrawal);
  const withdrawalMs = Date.now() - t1;
  expect(await l1.getBalance(l1Recipient)).to.equal(parseEther("1"));
  return { depositMs, withdrawalMs };
}

describe("e2e: a proof-mode rollup on `npx hardhat node` (an L1 without EXECUTE), with non-dev keys", function () {
  this.timeout(600_000);
  const latencies: Record<string, { depositMs: number; withdrawalMs: number }> = {};
  let l1Node: { child: ChildProcess; url: string };
  let l1: JsonRpcProvider;
  let dir: string;
  let proofService: ProofService | undefined;
  let node: RollupNode | undefined;
  const savedKey = process.env[DEPLOYER_KEY_ENV];
  // Every L1 key is fresh: none is of the public dev mnemonic the hardhat node funds.
  const deployer = Wallet.createRandom();
  const sequencer = Wallet.createRandom();
  const relayer = Wallet.createRandom();
  const user = Wallet.createRandom();
  const accepted: AcceptedBlock[] = [];

  before(async () => {
    l1Node = await startHardhatNode();
    l1 = new JsonRpcProvider(l1Node.url, undefined, { staticNetwork: true, pollingInterval: 100, cacheTimeout: -1 });
    dir = mkdtempSync(path.join(tmpdir(), "any-l1-"));
    // The deployer backs the dev genesis's L2 supply (ten dev accounts and the relayer) besides its gas.
    for (const [address, eth] of [
      [deployer.address, "200000"],
      [sequencer.address, "100"],
      [user.address, "100"],
    ] as const) {
      await l1.send("hardhat_setBalance", [address, toBeHex(parseEther(eth))]);
    }
    process.env[DEPLOYER_KEY_ENV] = deployer.privateKey;
  });

  /** The L2 genesis of this rollup, written once by rollup:genesis (its relayer funded, no dev account). */
  let genesisPath: string | undefined;
  async function genesisFile(): Promise<string> {
    if (genesisPath === undefined) {
      const file = path.join(dir, "genesis.json");
      await runTask("rollup:genesis", { out: file, relayer: relayer.address, dev: false });
      genesisPath = file;
    }
    return genesisPath;
  }
  /** A --verification-keys file with one committee's key, for the refusals (nothing is deployed with it). */
  async function oneKeyFile(): Promise<string> {
    const file = path.join(dir, "one-key.json");
    writeFileSync(file, JSON.stringify([hexlify((await freshCommittee("refusals")).verificationKey)]));
    return file;
  }

  after(async () => {
    if (savedKey === undefined) delete process.env[DEPLOYER_KEY_ENV];
    else process.env[DEPLOYER_KEY_ENV] = savedKey;
    await node?.stop().catch(() => {});
    await Promise.all((proofService?.provers ?? []).map((p) => p.close().catch(() => {})));
    l1?.destroy();
    l1Node?.child.kill("SIGTERM");
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    if (Object.keys(latencies).length > 0) console.log(`      latencies (ms): ${JSON.stringify(latencies)}`);
  });

  it("refuses a re-execution deployment before any transaction, saying why and what works", async () => {
    const nonce = await l1.getTransactionCount(deployer.address);
    const error = await runTask("rollup:deploy", {
      l1Rpc: l1Node.url,
      sequencer: sequencer.address,
      relayer: relayer.address,
      out: path.join(dir, "reexec.json"),
    }).catch((e: Error) => e);
    expect(String(error)).to.match(/refusing to deploy a re-execution rollup .*no EXECUTE precompile at 0x0+101/);
    expect((error as { hint?: string }).hint).to.match(/proof mode with on-chain verifiers/);
    expect(await l1.getTransactionCount(deployer.address), "a transaction was sent").to.equal(nonce);
  });

  it("refuses the dev genesis (ten public accounts funded, backed by the deployer) on a chain that is not the devnet, unless --dev", async () => {
    const nonce = await l1.getTransactionCount(deployer.address);
    const error = (await runTask("rollup:deploy", {
      l1Rpc: l1Node.url,
      sequencer: sequencer.address,
      verificationKeys: await oneKeyFile(),
      out: path.join(dir, "dev-genesis.json"),
    }).catch((e: Error) => e)) as Error & { hint?: string };
    expect(String(error)).to.match(
      /the dev genesis \(the ten public dev accounts funded with 1000\.0 ETH.*refused on L1 chain 31337/,
    );
    expect(error.hint).to.contain("rollup:genesis").and.to.contain("--genesis");
    expect(await l1.getTransactionCount(deployer.address), "a transaction was sent").to.equal(nonce);
  });

  it("refuses a deployer that cannot pay for the whole deployment before its first transaction, saying how much it needs", async () => {
    const poor = Wallet.createRandom();
    await l1.send("hardhat_setBalance", [poor.address, toBeHex(parseEther("0.001"))]);
    process.env[DEPLOYER_KEY_ENV] = poor.privateKey;
    try {
      const error = (await runTask("rollup:deploy", {
        l1Rpc: l1Node.url,
        sequencer: sequencer.address,
        genesis: await genesisFile(),
        verificationKeys: await oneKeyFile(),
        out: path.join(dir, "poor.json"),
      }).catch((e: Error) => e)) as Error & { hint?: string };
      expect(String(error)).to.match(
        /the deployer 0x[0-9a-fA-F]{40} holds 0\.001 ETH, and this deployment needs about [0-9.]+ ETH \(\d+ gas at [0-9.]+ gwei, plus [0-9.]+ ETH of L2 genesis supply to back\); nothing was sent/,
      );
      expect(error.hint).to.match(/send at least [0-9.]+ ETH to 0x/);
      expect(await l1.getTransactionCount(poor.address), "a transaction was sent").to.equal(0);
    } finally {
      process.env[DEPLOYER_KEY_ENV] = deployer.privateKey;
    }
  });

  it("deploys a ProvenRollup with a Groth16 verifier per committee, runs the node with its committee of fresh attester keys, and a deposit, an L2 transfer and a withdrawal go through", async () => {
    // One committee of three attesters, each with its own fresh key.
    const committee = await freshCommittee("committee-1");
    proofService = new ProofService([committee]);
    const keysFile = path.join(dir, "verification-keys.json");
    writeFileSync(keysFile, JSON.stringify([hexlify(committee.verificationKey)]));
    const out = path.join(dir, "deployment.json");
    const printed = await runTask("rollup:deploy", {
      l1Rpc: l1Node.url,
      sequencer: sequencer.address,
      genesis: await genesisFile(),
      verificationKeys: keysFile,
      threshold: 1,
      out,
    });
    expect(printed).to.match(/succeeded with no data: there is no precompile there/);
    expect(printed).to.match(/mode proofs-verifiers/);
    // The node command it prints runs as printed: a proof-mode node without attesters refuses to start (NO_PROVERS).
    expect(printed).to.contain(
      `run the node with npx hardhat rollup:node --deployment ${out} --genesis ${await genesisFile()} --l1-rpc ${l1Node.url} --attesters URL,URL,URL`,
    );
    const deployment = await loadDeployment(out);
    if (deployment === undefined) throw new Error("no deployment record");
    expect(deployment.mode).to.equal("proofs-verifiers");
    expect(deployment.proofPolicy?.acceptedKeys).to.deep.equal([committee.keyHash]);
    expect(Object.keys(deployment.verifiers ?? {})).to.deep.equal([committee.keyHash]);
    expect(deployment.l1ChainId).to.equal(31337n);

    // The genesis rollup:genesis wrote: no dev account in it, only the allocations and the relayer.
    const genesis = await readGenesisFile(await genesisFile());
    const logger: LoggerFactory =
      process.env.E2E_LOG === "1"
        ? (c) => ({
            info: (m) => console.log(`[${c}] ${m}`),
            warn: (m) => console.log(`[${c}] ${m}`),
            error: (m) => console.log(`[${c}] ${m}`),
            debug: () => {},
          })
        : () => silentLogger;
    node = await startRollupNode({
      storage: { dataDir: path.join(dir, "l2"), reset: true },
      l1: { provider: l1, rollupAddress: deployment.address, deployBlock: deployment.deployBlock },
      // Blocks for the round trip's transactions and messages only, as on the devnet below: an
      // empty block would be proved too, back to back (a Groth16 proof each, ≈ 3 CPU s) for as
      // long as the test runs (docs/design/fast-tests.md, round 27).
      sequencer: { genesis, blockTimeMs: 500, allowEmptyBlocks: false },
      keys: {
        sequencer: { address: sequencer.address, privateKey: sequencer.privateKey as `0x${string}`, balance: 0n },
        relayer: {
          address: relayer.address,
          privateKey: relayer.privateKey as `0x${string}`,
          balance: DEFAULT_DEV_BALANCE,
        },
      },
      rpc: { host: "127.0.0.1", port: 0 },
      logger,
      submitter: {
        mode: { kind: "proofs", proofs: blockProofSource(proofService, deployment.l2ChainId) },
        onAccepted: (block) => accepted.push(block),
      },
    });
    const l2 = new JsonRpcProvider(node.url as string, undefined, {
      staticNetwork: true,
      pollingInterval: 100,
      cacheTimeout: -1,
    });
    try {
      const client = new RollupClient({
        l1: user.connect(l1),
        l2: user.connect(l2),
        rollupAddress: deployment.address,
        l1FromBlock: BigInt(deployment.deployBlock),
        pollingIntervalMs: 100,
        receiptTimeoutMs: 180_000,
      });
      latencies["hardhat node (verifiers)"] = await roundTrip(client, user.connect(l2), l1, user.address);
      expect(node.bridge.submitter?.haltReason).to.equal(undefined);
      expect(accepted.length).to.be.greaterThan(0);
      expect(accepted.every((b) => b.provenBy.length === 1 && b.witnessBytes === 0)).to.equal(true);
      const history = await acceptanceHistory(l1, deployment.address);
      expect(history.every((b) => b.mode === "proven")).to.equal(true);
      console.log(
        `      hardhat node: ${accepted.length} advances on verifiers, L1 gas ${accepted.map((b) => `${b.l1GasUsed} (${b.transactions} txs)`).join(", ")}`,
      );
    } finally {
      l2.destroy();
    }
  });

  describe("the same round trip on the devnet (EXECUTE's proof mode), for comparison", () => {
    let r: E2eRollup;
    const devnetAccepted: AcceptedBlock[] = [];
    before(async () => {
      // The same committee setup as above (1 of 1), here checked by EXECUTE's proof mode.
      r = await startE2eRollup({
        mode: { kind: "proofs", committees: 0, provers: [await freshCommittee("committee-1")] },
        onAccepted: (block) => devnetAccepted.push(block),
      });
    });
    after(async () => {
      await r?.stop();
    });

    it("deposit → credit and withdrawal → final, timed", async () => {
      const client = new RollupClient({
        l1: r.l1Wallet(3),
        l2: r.l2Wallet(3),
        rollupAddress: r.devnet.deployment.address,
        l1FromBlock: BigInt(r.devnet.deployment.deployBlock),
        pollingIntervalMs: 100,
        receiptTimeoutMs: 180_000,
      });
      latencies["devnet (EXECUTE)"] = await roundTrip(client, r.l2Wallet(3), r.l1, r.l1Wallet(3).address);
      expect(devnetAccepted.every((b) => b.provenBy.length === 1 && b.witnessBytes === 0)).to.equal(true);
      console.log(
        `      devnet: ${devnetAccepted.length} advances on EXECUTE's proof mode, L1 gas ${devnetAccepted.map((b) => `${b.l1GasUsed} (${b.transactions} txs)`).join(", ")}`,
      );
    });
  });
});
