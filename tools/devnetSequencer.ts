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
import { type L1Devnet, startL1Devnet } from "../rollup-node/devnet/l1Devnet";
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

/**
 * Deploys, from the dev sequencer key, a rollup whose genesis is the sequencer's block 0, advanced
 * by the dev sequencer key and backing the genesis supply; `overrides` change any of that.
 */
export function deployDevnetRollup(
  devnet: DevnetSequencer<JsonRpcProvider>,
  overrides: Partial<RollupDeployParams> = {},
): Promise<RollupDeployment> {
  const keys = devNodeKeys();
  const genesisBlock = devnet.sequencer.chain.resolveBlock(0n).block;
  return deployRollup(new Wallet(keys.sequencer.privateKey, devnet.provider), {
    l2ChainId: devnet.chainId,
    genesisBlockHash: bytesToHex(genesisBlock.hash()),
    genesisStateRoot: bytesToHex(genesisBlock.header.stateRoot),
    sequencer: keys.sequencer.address,
    genesisSupply: genesisSupply(devnet.genesis),
    ...overrides,
  });
}
