// What the attack tests (test/attacks/*) share: an L1 devnet with the real EXECUTE for the
// tests of one describe, the optimistic rollup a forger proposes to, the node's challenger with
// its log, and the tiny signed transactions a flood is made of.
import type { Common } from "@ethereumjs/common";
import { type LegacyTx, createLegacyTxFromBytesArray } from "@ethereumjs/tx";
import { bigIntToUnpaddedBytes } from "@ethereumjs/util";
import { ContractFactory, JsonRpcProvider, Wallet, getBytes, keccak256, parseEther } from "ethers";
import { artifacts } from "hardhat";

import { decodeHeader, l2Common } from "../../precompiles";
import { Challenger } from "../../rollup-node/bridge/challenger";
import { type OptimisticExampleRollup, connectOptimisticRollup } from "../../rollup-node/bridge/contracts";
import { type L1Devnet, startL1Devnet } from "../../rollup-node/devnet/l1Devnet";
import type { Logger } from "../../rollup-node/logger";
import { withProposalGasDefaults } from "../../deploy/rollup";
import { TestSigner, tamperBlock, word } from "../../tools/l2Fixtures";
import { type BuiltBlock, L2TestChain } from "../../tools/l2TestChain";

/** The L2 chain the forged blocks claim to extend. */
export const ATTACK_L2_CHAIN_ID = 4343n;
/** The bond a proposal locks, and the window in which a challenge may take it. */
export const ATTACK_BOND = parseEther("0.1");
export const ATTACK_WINDOW = 3_600n;

/** The devnet of one describe, and a provider polling it quickly (tests wait on receipts). */
export interface AttackL1 {
  readonly devnet: L1Devnet;
  readonly provider: JsonRpcProvider;
  /** Dev account `i` as a signer on the devnet: 0 deploys and proposes, 1 challenges. */
  wallet(i: number): Wallet;
}

/**
 * Starts an L1 devnet before the tests of the calling describe and stops it after them. One devnet
 * per describe, not one for every attack file: a start costs ≈ 0.3 s, and a shared one would carry
 * each test's time jumps and deployments into the next.
 */
export function attackL1(options: { readonly callTimeoutMs?: number; readonly gasLimit?: bigint } = {}): AttackL1 {
  let devnet: L1Devnet | undefined;
  let provider: JsonRpcProvider | undefined;
  before(async () => {
    devnet = await startL1Devnet({
      port: 0,
      // A private L1's block gas limit (the devnet's default otherwise).
      ...(options.gasLimit === undefined ? {} : { gasLimit: options.gasLimit }),
      ...(options.callTimeoutMs === undefined ? {} : { execute: { callTimeoutMs: options.callTimeoutMs } }),
    });
    provider = new JsonRpcProvider(devnet.url, undefined, {
      staticNetwork: true,
      polling: true,
      pollingInterval: 50,
      cacheTimeout: -1,
    });
  });
  after(async () => {
    provider?.destroy();
    await devnet?.stop();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("attackL1(): the devnet is used before its before() hook ran");
    return value;
  };
  return {
    get devnet() {
      return started(devnet);
    },
    get provider() {
      return started(provider);
    },
    wallet: (i) => new Wallet(started(devnet).accounts[i].privateKey, started(provider)),
  };
}

/** An optimistic rollup deployed by dev account 0, the L1 block its events start from, and its address. */
export interface AttackRollup {
  readonly address: string;
  readonly fromBlock: number;
  /** Connected as dev account 0, the sequencer (who may propose at once). */
  readonly rollup: OptimisticExampleRollup;
}

/**
 * Deploys OptimisticExampleRollup on the genesis whose header is `genesisHeader`: dev account 0 is
 * the sequencer, inactivity and forced inclusion a day away (the forger proposes as the
 * sequencer), no proofs accepted, so only re-execution in a challenge decides.
 */
export async function deployAttackRollup(l1: AttackL1, genesisHeader: Uint8Array): Promise<AttackRollup> {
  const genesis = decodeHeader(genesisHeader, l2Common(ATTACK_L2_CHAIN_ID), "genesis");
  const deployer = l1.wallet(0);
  const artifact = await artifacts.readArtifact("OptimisticExampleRollup");
  const contract = await new ContractFactory(artifact.abi, artifact.bytecode, deployer).deploy(
    ATTACK_L2_CHAIN_ID,
    keccak256(genesisHeader),
    genesis.stateRoot,
    deployer.address,
    { sequencerInactivityPeriod: 86_400n, forceInclusionDelay: 86_400n },
    withProposalGasDefaults({ challengeWindow: ATTACK_WINDOW, proposalBond: ATTACK_BOND }),
    { threshold: 0, allowReexecution: false, acceptedKeys: [] },
  );
  await contract.waitForDeployment();
  const address = await contract.getAddress();
  const fromBlock = await l1.provider.getBlockNumber();
  return { address, fromBlock, rollup: connectOptimisticRollup(address, deployer) };
}

/** A logger that keeps each line as "level message", for assertions and for the test's output. */
export function recordingLogger(lines: string[]): Logger {
  const push = (level: string) => (message: string) => {
    lines.push(`${level} ${message}`);
  };
  return { info: push("info"), warn: push("warn"), error: push("error"), debug: push("debug") };
}

/** The node's challenger watching `deployed`, signing as dev account 1, logging into `lines`. */
export function attackChallenger(l1: AttackL1, deployed: AttackRollup, lines: string[]): Challenger {
  return new Challenger({
    l1Provider: l1.provider,
    rollupAddress: deployed.address,
    fromBlock: deployed.fromBlock,
    signer: l1.wallet(1),
    l2ChainId: ATTACK_L2_CHAIN_ID,
    logger: recordingLogger(lines),
  });
}

/**
 * Mines a block a window and a second after the latest, so every proposal made so far is past its
 * window and finalize may be tried. From the latest block, not the wall clock: blocks mined within
 * one second each take the next second, so the head can run seconds ahead of the wall clock, and
 * `evm_increaseTime` (the wall clock's offset, as in Hardhat) would then land short of the window.
 */
export async function passChallengeWindow(l1: AttackL1): Promise<void> {
  const latest = await l1.provider.getBlock("latest");
  if (latest === null) throw new Error("passChallengeWindow: the L1 has no latest block");
  await l1.provider.send("evm_mine", [latest.timestamp + Number(ATTACK_WINDOW) + 1]);
}

/**
 * `count` legacy contract creations of 12 or 13 bytes (no nonce, gas price, to, value or data; gas
 * limit 0xcf08; r and s of one byte each) whose signatures recover: r runs over the small
 * x-coordinates on secp256k1, s over 1, 2, …. Only the first may pay a gas price (`firstGasPrice`).
 *
 * Whether (r, s) recovers depends on r alone: recovery lifts r to a curve point R, which exists
 * for half the r, and returns r⁻¹(s·R − e·G), the point at infinity only if s·R = e·G, which
 * would give a discrete logarithm. So each r is checked once, by a real recovery (the one at the
 * smallest s), instead of once for every s: 255 recoveries instead of 2 × `count`.
 */
export function tinySignedTxs(common: Common, count: number, v: bigint, firstGasPrice = 0n): LegacyTx[] {
  const vBytes = bigIntToUnpaddedBytes(v);
  const recovers = new Map<number, boolean>();
  const txs: LegacyTx[] = [];
  for (let s = 1; txs.length < count && s < 256; s++) {
    for (let r = 1; txs.length < count && r < 256; r++) {
      if (recovers.get(r) === false) continue;
      const gasPrice = txs.length === 0 ? bigIntToUnpaddedBytes(firstGasPrice) : new Uint8Array();
      const tx = createLegacyTxFromBytesArray(
        [
          new Uint8Array(),
          gasPrice,
          Uint8Array.of(0xcf, 0x08),
          new Uint8Array(),
          new Uint8Array(),
          new Uint8Array(),
          vBytes,
          Uint8Array.of(r),
          Uint8Array.of(s),
        ] as never,
        { common },
      );
      if (!recovers.has(r)) recovers.set(r, tx.verifySignature());
      if (recovers.get(r) === true) txs.push(tx);
    }
  }
  return txs;
}

/**
 * A valid L2 block 1 of one transfer from the account of `seed` (funded at genesis), and the same
 * block with a forged state root (`0x…seed`): a proposal EXECUTE rejects for the proposer's fault.
 */
export async function forgedTransferProposal(seed: number): Promise<{ built: BuiltBlock; forged: Uint8Array }> {
  const probe = await L2TestChain.create(ATTACK_L2_CHAIN_ID, []);
  const sender = TestSigner.fromSeed(seed, probe.common);
  const chain = await L2TestChain.create(ATTACK_L2_CHAIN_ID, [
    { address: sender.address.toString(), balance: 10n ** 20n },
  ]);
  const built = await chain.buildBlock(
    [TestSigner.fromSeed(seed, chain.common).tx({ to: "0x00000000000000000000000000000000000000bb", value: 1n })],
    { discard: true },
  );
  return { built, forged: tamperBlock(built.block, { stateRoot: getBytes(`0x${word(seed)}`) }) };
}

/** Valid L2 blocks 1..count on one chain, each with one transfer. */
export async function validChain(count: number): Promise<BuiltBlock[]> {
  const probe = await L2TestChain.create(ATTACK_L2_CHAIN_ID, []);
  const alice = TestSigner.fromSeed(0x55, probe.common);
  const chain = await L2TestChain.create(ATTACK_L2_CHAIN_ID, [
    { address: alice.address.toString(), balance: 10n ** 20n },
  ]);
  const signer = TestSigner.fromSeed(0x55, chain.common);
  const blocks: BuiltBlock[] = [];
  for (let i = 0; i < count; i++)
    blocks.push(await chain.buildBlock([signer.tx({ to: "0x00000000000000000000000000000000000000cc", value: 1n })]));
  return blocks;
}

/**
 * An attack rollup with valid L2 blocks 1..`count` proposed (not finalized), and block `count + 1`
 * built on them, not proposed: the caller forges it.
 */
export async function proposedValidChain(
  l1: AttackL1,
  count: number,
): Promise<{ readonly deployed: AttackRollup; readonly next: BuiltBlock }> {
  const blocks = await validChain(count + 1);
  const next = blocks.pop() as BuiltBlock;
  const deployed = await deployAttackRollup(l1, blocks[0].parentHeader);
  for (const b of blocks)
    await (await deployed.rollup.propose(b.parentHeader, b.blockRlp, b.witness, 0, { value: ATTACK_BOND })).wait();
  return { deployed, next };
}

/**
 * The node's challenger watching `deployed` over `provider` (a wrapper of `l1.provider` that
 * records what is asked), one L1 block per eth_getLogs, checking on the main thread.
 */
export function blockByBlockChallenger(
  provider: JsonRpcProvider,
  l1: AttackL1,
  deployed: AttackRollup,
  lines: string[],
  windowMarginBlocks?: number,
): Challenger {
  return new Challenger({
    l1Provider: provider,
    rollupAddress: deployed.address,
    fromBlock: deployed.fromBlock,
    signer: l1.wallet(1),
    l2ChainId: ATTACK_L2_CHAIN_ID,
    logger: recordingLogger(lines),
    maxLogRange: 1,
    checkThreads: 0,
    windowMarginBlocks,
  });
}
