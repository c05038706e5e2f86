/**
 * What attack F2 (issue #10) costs before and after the sequencer's slack budget
 * (`npx ts-node --transpile-only scripts/proposal-slack-cost.ts [--gwei 1] [--share 0.25]`).
 *
 * Simulates an hour of one-second L2 blocks against OptimisticRollup's proposal gas bucket at the
 * deployment defaults (R, C from deploy/rollup.ts), with the real check-gas mirror and the real
 * ProposalSlackBudget on a simulated clock. The attacker offers a 21,000-gas transfer with a 3.9M
 * gas limit in every block; without the budget each is included, with it only when the slack
 * budget has room. Prints the check gas the attack puts into the bucket per second, the bucket's
 * highest level, the seconds honest blocks spend waiting for room, and the L2 fees paid; then,
 * after the fix, what keeping the bucket full costs when the attacker must pay for the gas
 * (transactions that use their whole limit: a block charged gasUsed + limit = 2 × paid gas).
 * Figures for docs/design/proposal-gas-slack.md.
 */
import { parseArgs } from "node:util";

import { DEFAULT_PROPOSAL_GAS_BURST, DEFAULT_PROPOSAL_GAS_PER_SECOND } from "../deploy/rollup";
import { proposalCheckGas } from "../rollup-node/bridge/proposalCheckGas";
import { DEFAULT_L2_GAS_LIMIT } from "../rollup-node/l2/genesis";
import { DEFAULT_PROPOSAL_SLACK_SHARE, ProposalSlackBudget } from "../rollup-node/l2/proposalSlack";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    gwei: { type: "string", default: "1" },
    share: { type: "string", default: String(DEFAULT_PROPOSAL_SLACK_SHARE) },
  },
});
const GAS_PRICE = BigInt(Math.round(Number(values.gwei) * 1e9));
const SHARE = Number(values.share);
const R = DEFAULT_PROPOSAL_GAS_PER_SECOND;
const C = DEFAULT_PROPOSAL_GAS_BURST;
const SECONDS = 3600;
const TRANSFER_GAS = 21_000n;
const ATTACK_LIMIT = 3_900_000n;
/** The honest user's block each second: one transfer with an exact limit. */
const HONEST_CHECK_GAS = proposalCheckGas({
  gasUsed: TRANSFER_GAS,
  gasLimit: DEFAULT_L2_GAS_LIMIT,
  txGasLimits: [TRANSFER_GAS],
});

interface Outcome {
  readonly attackGasPerSecond: bigint;
  readonly maxLevel: bigint;
  readonly honestWaitSeconds: number;
  /** The longest an honest block waits for room (the backlog past C, drained at R). */
  readonly maxDelaySeconds: bigint;
  readonly feesWei: bigint;
}

function simulate(withBudget: boolean): Outcome {
  let t = 0;
  const budget = new ProposalSlackBudget({ bucket: { gasPerSecond: R, burst: C }, share: SHARE, nowMs: () => t });
  let level = 0n;
  let maxLevel = 0n;
  let attackGas = 0n;
  let fees = 0n;
  let waiting = 0;
  let maxDelay = 0n;
  for (let s = 0; s < SECONDS; s++) {
    t = s * 1000;
    level = level > R ? level - R : 0n;
    const included = !withBudget || budget.available() >= ATTACK_LIMIT;
    const limits = included ? [ATTACK_LIMIT, TRANSFER_GAS] : [TRANSFER_GAS];
    const gasUsed = TRANSFER_GAS * BigInt(limits.length);
    const charged = proposalCheckGas({ gasUsed, gasLimit: DEFAULT_L2_GAS_LIMIT, txGasLimits: limits });
    if (included) {
      budget.charge(ATTACK_LIMIT - TRANSFER_GAS);
      fees += TRANSFER_GAS * GAS_PRICE;
      attackGas += charged - HONEST_CHECK_GAS;
    }
    // Blocks are proposed in order: this second's block waits while the bucket has no room for it.
    // The level here is the backlog: what was charged and not yet drained, proposed or waiting.
    if (level + charged > C) waiting++;
    level += charged;
    const delay = level > C ? (level - C + R - 1n) / R : 0n;
    if (delay > maxDelay) maxDelay = delay;
    if (level > maxLevel) maxLevel = level;
  }
  return {
    attackGasPerSecond: attackGas / BigInt(SECONDS),
    maxLevel,
    honestWaitSeconds: waiting,
    maxDelaySeconds: maxDelay,
    feesWei: fees,
  };
}

function eth(wei: bigint): string {
  return `${(Number(wei) / 1e18).toFixed(4)} ETH`;
}

console.log(
  `R = ${R} gas/s, C = ${C}, slack share ${SHARE}, L2 gas price ${values.gwei} gwei, one 1-second block with an honest transfer each second, for ${SECONDS} s`,
);
for (const [name, withBudget] of [
  ["before (no slack budget)", false],
  ["after (slack budget)", true],
] as const) {
  const o = simulate(withBudget);
  console.log(
    `${name}: the attack adds ${o.attackGasPerSecond} check gas/s (R is ${R}); backlog peaks at ${o.maxLevel} (C = ${C}); ` +
      `${o.honestWaitSeconds} of ${SECONDS} honest blocks meet a full bucket, the longest waits ${o.maxDelaySeconds} s; attacker's fees ${eth(o.feesWei)}/hour`,
  );
}
// Before the fix, one attack block per 3.9M/R seconds already keeps the bucket full.
const attackCharge = proposalCheckGas({
  gasUsed: TRANSFER_GAS,
  gasLimit: DEFAULT_L2_GAS_LIMIT,
  txGasLimits: [ATTACK_LIMIT],
});
const blocksPerHour = (R * BigInt(SECONDS)) / attackCharge;
console.log(
  `before: keeping the bucket full takes one ${attackCharge}-check-gas block per ${Number(attackCharge) / Number(R)} s: ` +
    `${blocksPerHour} transfers, ${eth(blocksPerHour * TRANSFER_GAS * GAS_PRICE)}/hour at ${values.gwei} gwei`,
);
// After the fix, slack takes at most SHARE·R; the rest of R fills only with gas someone pays for,
// each paid gas charged at most twice (gasUsed, plus the same transaction's limit as the largest).
const parts = BigInt(Math.round(SHARE * 1e6));
const paidRoom = (R * (1_000_000n - parts)) / 1_000_000n;
const paidGasPerSecond = paidRoom / 2n;
console.log(
  `after: keeping the bucket full needs ${paidGasPerSecond} gas/s of paid L2 gas (${paidRoom} of check gas at 2 per paid gas) besides the slack share: ` +
    `${eth(paidGasPerSecond * BigInt(SECONDS) * GAS_PRICE)}/hour at ${values.gwei} gwei`,
);
