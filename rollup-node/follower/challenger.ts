// The follower's challenger (`rollup:node --role follower --challenge`): a watcher independent of
// the sequencer's node, for an optimistic rollup whose only proposer is the sequencer. The
// challenger itself is the sequencer node's (bridge/challenger.ts): it judges each proposal from
// its ProposalData event on L1 alone. This module decides whether it may run here and says, once,
// what it will do. See docs/design/optimistic-challenges.md, "An independent challenger".
import { type Provider, formatEther, formatUnits } from "ethers";

import { Challenger } from "../bridge/challenger";
import { type OptimisticExampleRollup, connectOptimisticRollup } from "../bridge/contracts";
import { RawKeyWallet } from "../bridge/rawKeyWallet";
import type { WriteRules } from "../../precompiles";
import type { Logger } from "../logger";
import { FollowerError } from "./errors";

/** The follower node's `challenger` section: the L1 key it challenges with. */
export interface FollowerChallengerConfig {
  /** Sends the challenges and receives the removed blocks' bonds: an account of its own, whose nonces no other node uses. */
  readonly privateKey: string;
  /** Check threads (the challenger's `defaultCheckThreads()` when absent; 0 checks on the main thread). */
  readonly checkThreads?: number;
}

/** What one challenge may cost the key, read on L1 at start. */
export interface ChallengeFunding {
  readonly balance: bigint;
  /** The most L1 gas the rollup lets a challenge need (`challengeGasCap()`: every proposal's challenge fits in it). */
  readonly gasCap: bigint;
  /** The L1's fee per gas now (EIP-1559's max fee, else the legacy gas price). */
  readonly feePerGas: bigint;
  /** `gasCap × feePerGas`: what the costliest challenge costs at today's fee. */
  readonly worstCase: bigint;
}

/** Reads what the key holds and what its costliest challenge would cost now. */
export async function readChallengeFunding(
  rollup: OptimisticExampleRollup,
  provider: Provider,
  address: string,
): Promise<ChallengeFunding> {
  const [balance, gasCap, fees] = await Promise.all([
    provider.getBalance(address),
    rollup.challengeGasCap(),
    provider.getFeeData(),
  ]);
  const feePerGas = fees.maxFeePerGas ?? fees.gasPrice ?? 0n;
  return { balance, gasCap, feePerGas, worstCase: gasCap * feePerGas };
}

/** Where the follower's challenger runs and what it judges with. */
export interface FollowerChallengerContext {
  readonly provider: Provider;
  readonly rollupAddress: string;
  readonly deployBlock: number;
  /** Whether the rollup answered `tip()` (the follower's own test of an optimistic rollup). */
  readonly optimistic: boolean;
  readonly l2ChainId: bigint;
  readonly l2WriteRules: WriteRules;
  /** How often it reads L1 (the challenger's `DEFAULT_L1_POLL_MS` when absent). */
  readonly pollMs?: number;
  readonly logger: Logger;
}

/**
 * The follower's challenger, not started: refused (CHALLENGE_NOT_OPTIMISTIC) on a rollup that is
 * not optimistic, where there is nothing to challenge, and (CHALLENGER_UNFUNDED) when the key
 * cannot pay for the costliest challenge at today's L1 fee, so that a watcher that could not act
 * never looks like one that would. Logs what it will do.
 */
export async function openFollowerChallenger(
  config: FollowerChallengerConfig,
  context: FollowerChallengerContext,
): Promise<Challenger> {
  // Signs its challenges (up to MAX_PROPOSAL_BYTES of calldata) from bytes: the same transactions
  // as ethers' Wallet, less CPU (../bridge/rawKeyWallet.ts).
  const signer = new RawKeyWallet(config.privateKey, context.provider);
  if (!context.optimistic)
    throw new FollowerError(
      "CHALLENGE_NOT_OPTIMISTIC",
      `--challenge: the rollup at ${context.rollupAddress} is not optimistic (it has no tip()), so it has no proposals to challenge: EXECUTE verifies each of its blocks before L1 accepts it`,
      "drop --challenge: a plain follower (--role follower) already re-executes every block",
    );
  const rollup = connectOptimisticRollup(context.rollupAddress, context.provider);
  const [funding, window, bond] = await Promise.all([
    readChallengeFunding(rollup, context.provider, signer.address),
    rollup.CHALLENGE_WINDOW(),
    rollup.PROPOSAL_BOND(),
  ]);
  const cost = `${formatEther(funding.worstCase)} ETH (${funding.gasCap} L1 gas at ${formatUnits(funding.feePerGas, "gwei")} gwei)`;
  if (funding.balance < funding.worstCase)
    throw new FollowerError(
      "CHALLENGER_UNFUNDED",
      `--challenge: the challenger ${signer.address} holds ${formatEther(funding.balance)} ETH on L1, less than the costliest challenge at today's fee, ${cost}: a forged proposal it found could finalize unchallenged`,
      `send the challenger key L1 ETH (at least ${formatEther(funding.worstCase)}; more leaves room for fee rises and several challenges), then start again`,
    );
  context.logger.info(
    `challenging for the optimistic rollup at ${context.rollupAddress} with ${signer.address} (balance ${formatEther(funding.balance)} ETH): every proposal is re-executed from its ProposalData on L1 (the parent header, block and witness it committed) and challenged when EXECUTE would refuse it, after a call confirms the challenge would win (a valid block is never challenged); a challenge posts no bond on this rollup, it costs L1 gas, at most ${cost}, and a won one pays this key the bonds of the blocks it removes (${formatEther(bond)} ETH each) in the same transaction; the challenge window is ${window} s`,
  );
  return new Challenger({
    l1Provider: context.provider,
    rollupAddress: context.rollupAddress,
    fromBlock: context.deployBlock,
    signer,
    l2ChainId: context.l2ChainId,
    l2WriteRules: context.l2WriteRules,
    logger: context.logger,
    pollIntervalMs: context.pollMs,
    checkThreads: config.checkThreads,
  });
}
