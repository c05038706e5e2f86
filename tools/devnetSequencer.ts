// The set-up of the tests that run the node's bridge against a real L1: the in-process L1 devnet
// (the real EXECUTE), a provider polling it quickly, a real sequencer at its dev genesis in a
// temporary folder, and the rollup contract for that genesis deployed by the dev sequencer key.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { bytesToHex } from "@ethereumjs/util";
import { JsonRpcProvider, type JsonRpcApiProviderOptions, Wallet } from "ethers";

import { type RollupDeployParams, type RollupDeployment, deployRollup } from "../deploy/rollup";
import type { GenesisConfig } from "../rollup-node/chain/genesis";
import { type L1Devnet, type L1DevnetOptions, startL1Devnet } from "../rollup-node/devnet/l1Devnet";
import { genesisSupply } from "../rollup-node/l2/genesis";
import { Sequencer } from "../rollup-node/l2/sequencer";
import { silentLogger } from "../rollup-node/logger";
import { devNodeKeys } from "../rollup-node/node/keys";
import { devL2Genesis } from "../rollup-node/node/l2Genesis";

/**
 * How the tests' provider talks to the devnet: no network detection (the chain id is the devnet's),
 * receipts polled every 20 ms (tests wait on them), and no cache, so every read reaches L1.
 */
const PROVIDER_OPTIONS: JsonRpcApiProviderOptions = { staticNetwork: true, pollingInterval: 20, cacheTimeout: -1 };
/** The L2 genesis is this many seconds in the past, so that its first block may follow at once. */
const GENESIS_AGE_SECONDS = 10n;

/** A JsonRpcProvider class, or a subclass that watches or holds the requests a test makes. */
export type ProviderClass<P extends JsonRpcProvider> = new (
  url: string,
  network: undefined,
  options: JsonRpcApiProviderOptions,
) => P;

export interface DevnetSequencerOptions<P extends JsonRpcProvider> {
  /** The L2's chain id (the genesis', and the rollup's that deployDevnetRollup deploys). */
  readonly chainId: bigint;
  /** The ETH (in wei) the dev sequencer key holds on L1. */
  readonly sequencerBalance: bigint;
  /** The prefix of the sequencer's temporary data folder (names the test in the temporary folder). */
  readonly dirPrefix: string;
  /** The provider's class (a plain JsonRpcProvider if not given). */
  readonly Provider?: ProviderClass<P>;
}

export interface DevnetSequencer<P extends JsonRpcProvider> {
  readonly l1: L1Devnet;
  readonly provider: P;
  readonly sequencer: Sequencer;
  readonly genesis: GenesisConfig;
  readonly chainId: bigint;
  /** Closes the sequencer, destroys the provider, stops the devnet and removes the data folder. */
  stop(): Promise<void>;
}

/** Starts the devnet and a sequencer at a dev genesis funding the devnet's accounts and the relayer. */
export async function startDevnetSequencer<P extends JsonRpcProvider = JsonRpcProvider>(
  options: DevnetSequencerOptions<P>,
): Promise<DevnetSequencer<P>> {
  const keys = devNodeKeys();
  const l1 = await startL1Devnet({
    port: 0,
    alloc: { [keys.sequencer.address]: { balance: options.sequencerBalance } },
  });
  const Provider = options.Provider ?? (JsonRpcProvider as unknown as ProviderClass<P>);
  // Port 0 is a port the system picks: the devnet serves HTTP, so it has a URL.
  const provider = new Provider(l1.url as string, undefined, PROVIDER_OPTIONS);
  const dir = mkdtempSync(path.join(tmpdir(), options.dirPrefix));
  let sequencer: Sequencer | undefined;
  const stop = async (): Promise<void> => {
    await sequencer?.close();
    provider.destroy();
    await l1.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const genesis = devL2Genesis({
      chainId: options.chainId,
      timestamp: BigInt(Math.floor(Date.now() / 1000)) - GENESIS_AGE_SECONDS,
      funded: [...l1.accounts, keys.relayer],
    });
    sequencer = await Sequencer.open({ dataDir: dir, genesis, logger: silentLogger });
    return { l1, provider, sequencer, genesis, chainId: options.chainId, stop };
  } catch (error) {
    // A set-up that fails half-way leaves no devnet running (it would keep mocha from exiting).
    await stop();
    throw error;
  }
}

/** The rollup contract for `sequencer`'s chain: its genesis is the sequencer's block 0, the dev sequencer key advances it. */
function deployRollupOf(
  provider: JsonRpcProvider,
  sequencer: Sequencer,
  params: Pick<RollupDeployParams, "l2ChainId" | "genesisSupply"> & Partial<RollupDeployParams>,
): Promise<RollupDeployment> {
  const keys = devNodeKeys();
  const genesisBlock = sequencer.chain.resolveBlock(0n).block;
  return deployRollup(new Wallet(keys.sequencer.privateKey, provider), {
    genesisBlockHash: bytesToHex(genesisBlock.hash()),
    genesisStateRoot: bytesToHex(genesisBlock.header.stateRoot),
    sequencer: keys.sequencer.address,
    ...params,
  });
}

/**
 * Deploys, from the dev sequencer key, a rollup whose genesis is the sequencer's block 0, advanced
 * by the dev sequencer key and backing the genesis supply; `overrides` change any of that.
 */
export function deployDevnetRollup(
  devnet: DevnetSequencer<JsonRpcProvider>,
  overrides: Partial<RollupDeployParams> = {},
): Promise<RollupDeployment> {
  return deployRollupOf(devnet.provider, devnet.sequencer, {
    l2ChainId: devnet.chainId,
    genesisSupply: genesisSupply(devnet.genesis),
    ...overrides,
  });
}

/** An L1 devnet of its own for a sequencer that already runs, and the rollup deployed on it. */
export interface DevnetRollup {
  readonly l1: L1Devnet;
  readonly provider: JsonRpcProvider;
  /** The dev sequencer key on `provider`: the rollup's sequencer. */
  readonly signer: Wallet;
  readonly address: string;
  /** Destroys the provider and stops the devnet (the sequencer is the caller's). */
  stop(): Promise<void>;
}

export interface DevnetRollupOptions {
  readonly l2ChainId: bigint;
  /** The ETH (in wei) the dev sequencer key holds on L1. */
  readonly sequencerBalance: bigint;
  /** The devnet's other options (its EXECUTE, gas schedule, …). */
  readonly l1?: Omit<L1DevnetOptions, "port" | "alloc">;
}

/**
 * Starts an L1 devnet and deploys on it an unbacked rollup (genesis supply 0: for tests that never
 * withdraw genesis funds) for `sequencer`'s chain, advanced by the dev sequencer key.
 */
export async function startDevnetRollup(sequencer: Sequencer, options: DevnetRollupOptions): Promise<DevnetRollup> {
  const keys = devNodeKeys();
  const l1 = await startL1Devnet({
    port: 0,
    alloc: { [keys.sequencer.address]: { balance: options.sequencerBalance } },
    ...options.l1,
  });
  // Port 0 is a port the system picks: the devnet serves HTTP, so it has a URL.
  const provider = new JsonRpcProvider(l1.url as string, undefined, PROVIDER_OPTIONS);
  const stop = async (): Promise<void> => {
    provider.destroy();
    await l1.stop();
  };
  try {
    const { address } = await deployRollupOf(provider, sequencer, { l2ChainId: options.l2ChainId, genesisSupply: 0n });
    return { l1, provider, signer: new Wallet(keys.sequencer.privateKey, provider), address, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
